export { startAdminServer, type AdminServer, type AdminRouteHandler, type Readiness } from './admin-server.js';
