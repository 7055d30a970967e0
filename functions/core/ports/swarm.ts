import type { SwarmConversation } from '../case.js';
import type { SlackSettings } from '../config.js';
import type { ResolvedCaseSummary } from '../expert-finder.js';

/** Swarming (functions/core/use-cases/swarm.ts): telling the team's chat, and the chat's conversations. */

/** A person in a swarm message: how the chat adapter finds them (Slack: users.lookupByEmail). */
export interface SwarmPerson {
  agentId: string;
  name: string;
  email: string;
}

/** The case as a swarm's conversation shows it (the summary message with its buttons). */
export interface SwarmSummary {
  caseId: string;
  caseNumber: string;
  subject: string;
  status: string;
  priority: string;
  product?: string;
  customer?: string;
  owner?: { agentId: string; name: string };
  /** What the experts were asked. */
  question?: string;
  skills: { skill: string; minLevel: number }[];
  members: { agentId: string; name: string }[];
  /** The swarm is open (buttons shown) or closed (with why). */
  open: boolean;
  closedReason?: string;
  /** Where a person opens the case. */
  link: string;
}

/** A swarm invitation as it goes to the team's chat: what the Slack adapters turn into messages. */
export interface SwarmAnnouncement {
  caseId: string;
  caseNumber: string;
  subject: string;
  status: string;
  priority: string;
  product?: string;
  customer?: string;
  owner?: { agentId: string; name: string; email?: string };
  startedBy: string;
  /** Who asked, to be brought into the conversation with the experts. */
  requester?: SwarmPerson;
  /** The question for the experts (`note` is its older name; both carry the same text). */
  note?: string;
  question?: string;
  skills?: { skill: string; minLevel: number }[];
  /** The experts this call invites, best first. */
  experts: { agentId: string; name: string; email?: string; score: number; reasons: string[]; pod?: string }[];
  /** Everyone in the swarm after this call (the summary lists them). */
  members?: { agentId: string; name: string }[];
  /** Pod leads to tell which of their members were brought in. */
  podLeads?: (SwarmPerson & { podId: string; podName: string; experts: { agentId: string; name: string }[] })[];
  /** The swarm's conversation when it has one already (a second request on an open swarm). */
  conversation?: SwarmConversation;
  /** How the team's Slack keeps swarms (the configuration's `slack`); absent: the defaults. */
  slack?: SlackSettings;
  /** Where a person opens the case. */
  link: string;
}

/** What telling the chat achieved. */
export interface SwarmAnnounced {
  sent: boolean;
  /** Why nothing (or not everything) was sent. */
  reason?: string;
  /** The conversation the swarm lives in (the Slack app; an incoming webhook has none). */
  conversation?: SwarmConversation;
  /** Experts found in the chat and brought into the conversation. */
  inChat?: string[];
  /** Experts the chat could not reach, with why (no Slack user with their email). */
  notInChat?: { agentId: string; reason: string }[];
  /** Pod leads told in the chat (the others are told by email). */
  leadsTold?: string[];
}

/** The swarm closes with its case: its conversation hears why and who did it. */
export interface SwarmClosing {
  conversation: SwarmConversation;
  summary: SwarmSummary;
  /** The agent who closed the case. */
  by: string;
  /** Their comment, when they left one. */
  comment?: string;
}

/**
 * Tells the team about a swarm: the Slack app (a conversation per swarm, experts invited, buttons)
 * or an incoming webhook (one message). Secrets come from Secrets Manager in AWS, options locally.
 */
export interface SwarmNotifier {
  /** `sent`, or not with why (nothing configured); throws when the chat refuses. */
  announce(announcement: SwarmAnnouncement): Promise<SwarmAnnounced>;
  /** The case closed, and the swarm with it: the conversation hears it (and a swarm channel is archived). */
  closed?(closing: SwarmClosing): Promise<void>;
  /** Something happened on the case: a line in the conversation, the summary brought up to date, and new members brought in. */
  update?(change: { conversation: SwarmConversation; summary: SwarmSummary; line?: string; invite?: SwarmPerson[] }): Promise<void>;
}

/** Which case a chat conversation belongs to (Slack: channel and thread), written when a swarm opens one. */
export interface SwarmConversations {
  link(conversation: SwarmConversation, caseId: string, swarmId: string): Promise<void>;
  /** The case of a message in `channel` (in the thread `threadTs`, when it is in one). */
  find(channel: string, threadTs?: string): Promise<{ caseId: string; swarmId: string } | undefined>;
}

/** The recently resolved cases, newest first, projected for the expert finder's history. */
export interface ResolvedCases {
  recent(limit: number): Promise<ResolvedCaseSummary[]>;
}
