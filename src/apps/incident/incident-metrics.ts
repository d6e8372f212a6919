/**
 * Prometheus metrics of the incident pipeline: alerts by outcome, incidents opened, and the two
 * numbers on-call teams are judged by — time to acknowledge and time to resolve.
 */
import { Counter, Histogram, Registry } from 'prom-client';

// Minutes to a day: on-call response times span that range.
const RESPONSE_BUCKETS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

export class IncidentMetrics {
  readonly alerts: Counter<'outcome'>;
  readonly incidentsOpened: Counter<'severity'>;
  readonly timeToAcknowledge: Histogram<'severity'>;
  readonly timeToResolve: Histogram<'severity'>;

  constructor(registry: Registry = new Registry()) {
    this.alerts = new Counter({ name: 'conduit_incident_alerts_total', help: 'Alerts received, by outcome (new, attached, duplicate, muted, resolved).', labelNames: ['outcome'], registers: [registry] });
    this.incidentsOpened = new Counter({ name: 'conduit_incidents_opened_total', help: 'Incidents opened, by severity.', labelNames: ['severity'], registers: [registry] });
    this.timeToAcknowledge = new Histogram({ name: 'conduit_incident_time_to_acknowledge_seconds', help: 'Time from an incident opening to its acknowledgement (MTTA).', labelNames: ['severity'], buckets: RESPONSE_BUCKETS, registers: [registry] });
    this.timeToResolve = new Histogram({ name: 'conduit_incident_time_to_resolve_seconds', help: 'Time from an incident opening to its resolution (MTTR).', labelNames: ['severity'], buckets: RESPONSE_BUCKETS, registers: [registry] });
  }
}
