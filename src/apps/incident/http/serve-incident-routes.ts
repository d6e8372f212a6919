/**
 * The incident routes as `conduit serve` mounts them: configuration checked at start, storage
 * opened on the first request (on the gateway's database), pipelines drained on close.
 */
import type { Registry } from 'prom-client';
import type { AuditLog } from '../../../audit/index.js';
import type { IncidentConfig } from '../../../config/schema.js';
import type { AppRoutes } from '../../../gateway/app-routes.js';
import type { EmbeddingModel, LanguageModel } from '../../../models/language-model.js';
import type { SqlDatabase } from '../../../store/sql.js';
import { openIncidentApp, jsonMappingOf, type IncidentApp } from '../open-incident-app.js';
import { createIncidentRoutes } from './incident-routes.js';

export interface ServeIncidentRoutesOptions {
  config: IncidentConfig;
  openDb: () => Promise<SqlDatabase>;
  cwd: string;
  resolveModel?: () => LanguageModel;
  resolveEmbedder?: () => EmbeddingModel;
  audit?: AuditLog;
  metricsRegistry?: Registry;
  onError?: (err: unknown, step: string) => void;
}

export function createServeIncidentRoutes(options: ServeIncidentRoutesOptions): AppRoutes {
  let app: Promise<IncidentApp> | undefined;
  const open = (): Promise<IncidentApp> => {
    app ??= (async () =>
      openIncidentApp({
        config: options.config,
        db: await options.openDb(),
        cwd: options.cwd,
        ...(options.audit === undefined ? {} : { audit: options.audit }),
        ...(options.resolveModel === undefined ? {} : { model: options.resolveModel() }),
        ...(options.resolveEmbedder === undefined ? {} : { embedder: options.resolveEmbedder() }),
        ...(options.metricsRegistry === undefined ? {} : { metricsRegistry: options.metricsRegistry }),
        ...(options.onError === undefined ? {} : { onError: options.onError }),
      }))().catch((err: unknown) => {
      app = undefined;
      throw err;
    });
    return app;
  };
  const mapping = jsonMappingOf(options.config);
  return createIncidentRoutes({
    service: async () => (await open()).service,
    signals: async () => (await open()).signals,
    ...(options.config.webhook_token === undefined ? {} : { token: options.config.webhook_token }),
    ...(mapping === undefined ? {} : { jsonMapping: mapping }),
    async close() {
      if (app !== undefined) await (await app.catch(() => undefined))?.service.whenIdle();
    },
  });
}
