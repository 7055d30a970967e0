/** Swarming (functions/core/use-cases/swarm.ts): telling the team's chat. */

/** A swarm invitation as it goes to the team's chat: what the Slack adapter turns into blocks. */
export interface SwarmAnnouncement {
  caseId: string;
  caseNumber: string;
  subject: string;
  status: string;
  priority: string;
  product?: string;
  customer?: string;
  owner?: { agentId: string; name: string };
  startedBy: string;
  note?: string;
  experts: { agentId: string; name: string; score: number; reasons: string[] }[];
  /** Where a person opens the case. */
  link: string;
}

/** Tells the team about a swarm: a Slack incoming webhook (URL from Secrets Manager in AWS, an option locally). */
export interface SwarmNotifier {
  /** `sent`, or `skipped` with why (no webhook configured); throws when the webhook refuses. */
  announce(announcement: SwarmAnnouncement): Promise<{ sent: boolean; reason?: string }>;
}
