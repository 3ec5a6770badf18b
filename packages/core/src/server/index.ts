export { serverPidFile, serverLogFile, runningServerPid, startServer, stopServer, reloadServer, type StartServerOptions } from './control.js';
