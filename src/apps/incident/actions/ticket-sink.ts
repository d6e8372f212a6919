/**
 * Where incident tickets are filed: Conduit's own ticket store, or Jira through its REST API
 * (v2 `POST /rest/api/2/issue`, basic auth with an API token — Jira Cloud and Server both accept it).
 */
import type { IncidentStore } from '../store/incident-store.js';
import { postJson } from './http-post.js';

export interface TicketRequest {
  incidentId: string;
  title: string;
  description: string;
  team?: string;
  severity: string;
}

export interface FiledTicket {
  system: 'conduit' | 'jira';
  key: string;
  url?: string;
}

export interface TicketSink {
  readonly system: FiledTicket['system'];
  file(ticket: TicketRequest): Promise<FiledTicket>;
}

export function conduitTicketSink(store: IncidentStore, clock: () => Date = () => new Date()): TicketSink {
  return {
    system: 'conduit',
    async file(t) {
      const record = await store.createTicket({ incidentId: t.incidentId, title: t.title, description: t.description, ...(t.team === undefined ? {} : { assigneeTeam: t.team }), at: clock().toISOString() });
      return { system: 'conduit', key: record.key };
    },
  };
}

export interface JiraOptions {
  /** Base URL, e.g. https://example.atlassian.net */
  url: string;
  project: string;
  issueType?: string;
  email: string;
  apiToken: string;
  /** Jira priority names by Conduit severity (default: Highest/High/Medium/Low/Lowest). */
  priorities?: Record<string, string>;
}

const DEFAULT_PRIORITIES: Record<string, string> = { critical: 'Highest', high: 'High', warning: 'Medium', low: 'Low', info: 'Lowest' };

export function jiraTicketSink(options: JiraOptions): TicketSink {
  const base = options.url.replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString('base64')}`;
  return {
    system: 'jira',
    async file(t) {
      const priority = (options.priorities ?? DEFAULT_PRIORITIES)[t.severity];
      const body = {
        fields: {
          project: { key: options.project },
          issuetype: { name: options.issueType ?? 'Incident' },
          summary: t.title.slice(0, 250),
          description: t.description,
          labels: ['conduit-incident', `conduit-${t.incidentId}`],
          ...(priority === undefined ? {} : { priority: { name: priority } }),
        },
      };
      const answer = (await postJson(`${base}/rest/api/2/issue`, body, { headers: { authorization: auth, accept: 'application/json' }, what: 'Jira' })) as { key?: unknown } | undefined;
      const key = typeof answer?.key === 'string' ? answer.key : 'unknown';
      return { system: 'jira', key, url: `${base}/browse/${key}` };
    },
  };
}
