/** `GET /v1/alerts`: alerts pending or firing now and the latest notifications sent. Admin (master key) only. */
import { ConduitError } from '../../core/errors.js';
import type { AppRoutes } from '../../gateway/app-routes.js';
import { queryOf } from '../../gateway/app-routes.js';
import type { AlertEngine } from './alert-engine.js';

export function createAlertRoutes(engine: AlertEngine): AppRoutes {
  return {
    name: 'alerts',
    matches: (path) => path === '/v1/alerts',
    handle(ctx, path) {
      if (ctx.principal?.admin !== true) throw new ConduitError('permission', 'This endpoint needs the admin (master) key', { code: 'admin_required' });
      if (ctx.req.method !== 'GET') throw new ConduitError('invalid_request', `Method ${ctx.req.method ?? ''} is not allowed on ${path}; use GET`, { status: 405, code: 'method_not_allowed' });
      const raw = queryOf(ctx).get('recent');
      const recent = raw === null ? 50 : Number(raw);
      if (!Number.isInteger(recent) || recent < 0 || recent > 200) throw new ConduitError('invalid_request', 'recent must be an integer from 0 to 200', { code: 'invalid_parameter', param: 'recent' });
      ctx.sendJson(200, JSON.stringify({ object: 'alerts', active: engine.activeAlerts(), recent: recent === 0 ? [] : engine.recentNotifications(recent) }));
      return Promise.resolve();
    },
  };
}
