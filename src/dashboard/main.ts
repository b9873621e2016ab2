import './app/app.js';

// index.html already holds <pw-app>; a host page that does not gets one.
if (!document.querySelector('pw-app')) document.body.append(document.createElement('pw-app'));
