export { startAdminServer, type AdminServer, type AdminServerOptions, type AdminRouteHandler, type Readiness } from './admin-server.js';
