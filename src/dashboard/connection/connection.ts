export {
  ConnectionController,
  type Access,
  type Action,
  type ConnectionOptions,
  type ConnectionState,
  type Notice,
  type Reply,
  type RunStatus,
} from './connection.controller.js';
