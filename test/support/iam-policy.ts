/**
 * A small evaluator of the IAM statements the CDK app synthesizes, for the DynamoDB requests our
 * adapters make: does this role's policy allow this request? It knows the parts of IAM the stack
 * uses (Allow and Deny, actions with `*`, resources as table/index ARNs, the condition operators
 * below with their ForAllValues/ForAnyValue/IfExists forms) and throws on anything else, so a
 * policy it cannot read fails the test instead of passing it.
 *
 * Requests are described as IAM sees them: one action per item of a transaction, `dynamodb:LeadingKeys`
 * the partition keys touched, `dynamodb:Attributes` the attribute names, `dynamodb:ReturnValues`.
 */

/** What a CloudFormation resource reference stands for here: the table's logical id ▶ `arn:table`. */
export interface ArnNames {
  readonly table: string;
}

export interface IamRequest {
  readonly action: string;
  /** `arn:table` or `arn:table/index/<name>`. */
  readonly resource: string;
  /** Context keys, each multivalued (single-valued keys are one-element arrays). Absent keys are absent. */
  readonly context: Readonly<Record<string, readonly string[]>>;
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const TABLE_ARN = 'arn:table';

/** The table's ARN as CloudFormation writes it, and its index ARNs, as plain strings; anything else as its JSON. */
export function resolveResource(resource: unknown, names: ArnNames): string {
  const tableAtt = JSON.stringify({ 'Fn::GetAtt': [names.table, 'Arn'] });
  if (JSON.stringify(resource) === tableAtt) return TABLE_ARN;
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (join && join[0] === '' && join[1].length === 2 && JSON.stringify(join[1][0]) === tableAtt && typeof join[1][1] === 'string') {
    return `${TABLE_ARN}${join[1][1]}`;
  }
  return typeof resource === 'string' ? resource : JSON.stringify(resource);
}

const asArray = <T>(value: T | readonly T[]): T[] => (Array.isArray(value) ? [...value] : [value as T]);

/** IAM's glob: `*` any run of characters, `?` one character; everything else literal. */
function glob(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return regex.test(value);
}

const COMPARE: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (p, v) => p === v,
  StringLike: glob,
  ArnLike: glob,
  ArnEquals: (p, v) => p === v,
};

function conditionHolds(operator: string, key: string, expected: unknown, context: IamRequest['context']): boolean {
  const values = context[key];
  if (operator === 'Null') {
    const wantAbsent = String(expected) === 'true';
    return wantAbsent ? values === undefined : values !== undefined;
  }
  const match = /^(?:(ForAllValues|ForAnyValue):)?([A-Za-z]+?)(IfExists)?$/.exec(operator);
  const compare = match ? COMPARE[match[2]!] : undefined;
  if (!match || !compare) throw new Error(`the test's IAM evaluator does not know the condition operator ${operator}`);
  const [, set, , ifExists] = match;
  const patterns = asArray(expected as string | string[]).map(String);
  const matches = (value: string) => patterns.some((p) => compare(p, value));
  if (values === undefined) return set === 'ForAllValues' || ifExists !== undefined;
  if (set === 'ForAllValues') return values.every(matches);
  if (set === 'ForAnyValue') return values.some(matches);
  if (values.length !== 1) throw new Error(`${key} is multivalued: ${operator} needs ForAllValues or ForAnyValue`);
  return matches(values[0]!);
}

function statementApplies(statement: Statement, request: IamRequest, names: ArnNames): boolean {
  if (!asArray(statement.Action).some((a) => glob(a, request.action))) return false;
  if (!asArray(statement.Resource).some((r) => glob(resolveResource(r, names), request.resource))) return false;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) if (!conditionHolds(operator, key, expected, request.context)) return false;
  }
  return true;
}

/** IAM's decision for one request: denied by any matching Deny, else allowed by any matching Allow, else denied. */
export function allows(statements: readonly Statement[], request: IamRequest, names: ArnNames): boolean {
  const applying = statements.filter((s) => statementApplies(s, request, names));
  return !applying.some((s) => s.Effect === 'Deny') && applying.some((s) => s.Effect === 'Allow');
}

/** Every statement of the identity policies attached to a role, by the role's logical id. */
export function roleStatements(resources: Record<string, { Type: string; Properties?: any }>, roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

type Item = Record<string, unknown>;

/** `#a.#b = :x, c` ▶ the top-level attribute names an update expression touches. */
function updatedAttributes(expression: string, names: Record<string, string> = {}): string[] {
  const withoutValues = expression.replace(/:[A-Za-z0-9_]+/g, ' ');
  const found = new Set<string>();
  for (const clause of withoutValues.split(/\b(?:SET|ADD|REMOVE|DELETE)\b/i)) {
    for (const part of clause.split(',')) {
      const path = part.split(/[=+\-(]/)[0]!.trim();
      if (!path) continue;
      const top = path.split(/[.[]/)[0]!.trim();
      if (top && !/^(if_not_exists|list_append)$/i.test(top)) found.add(top.startsWith('#') ? (names[top] ?? top) : top);
    }
  }
  return [...found];
}

/**
 * A document-client command (its class name and input, as our adapters send it) as the IAM requests
 * DynamoDB authorises: one per item of a transaction, the table or the queried index as resource.
 */
export function iamRequestsOf(commandName: string, input: Item, keyNames: { partitionKey: string; sortKey: string }): IamRequest[] {
  const keys = (key: Item) => [String(key[keyNames.partitionKey])];
  const keyAttributes = [keyNames.partitionKey, keyNames.sortKey];
  const item = (action: string, context: Record<string, string[]>): IamRequest => ({ action: `dynamodb:${action}`, resource: TABLE_ARN, context });
  const put = (p: Item) => item('PutItem', { 'dynamodb:LeadingKeys': keys(p.Item as Item), 'dynamodb:Attributes': Object.keys(p.Item as Item) });
  const update = (u: Item) =>
    item('UpdateItem', {
      'dynamodb:LeadingKeys': keys(u.Key as Item),
      'dynamodb:Attributes': [...keyAttributes, ...updatedAttributes(String(u.UpdateExpression ?? ''), u.ExpressionAttributeNames as Record<string, string>)],
      ...(u.ReturnValues ? { 'dynamodb:ReturnValues': [String(u.ReturnValues)] } : {}),
    });
  switch (commandName) {
    case 'GetCommand':
      return [item('GetItem', { 'dynamodb:LeadingKeys': keys(input.Key as Item) })];
    case 'BatchGetCommand':
      return Object.values(input.RequestItems as Record<string, { Keys: Item[] }>).map((r) =>
        item('BatchGetItem', { 'dynamodb:LeadingKeys': r.Keys.flatMap(keys) }),
      );
    case 'QueryCommand':
      return [{ action: 'dynamodb:Query', resource: input.IndexName ? `${TABLE_ARN}/index/${String(input.IndexName)}` : TABLE_ARN, context: {} }];
    case 'PutCommand':
      return [put(input)];
    case 'UpdateCommand':
      return [update(input)];
    case 'DeleteCommand':
      return [item('DeleteItem', { 'dynamodb:LeadingKeys': keys(input.Key as Item) })];
    case 'TransactGetCommand':
      return (input.TransactItems as { Get: Item }[]).map((t) => item('GetItem', { 'dynamodb:LeadingKeys': keys(t.Get.Key as Item) }));
    case 'TransactWriteCommand':
      return (input.TransactItems as Item[]).map((t) => {
        if (t.Put) return put(t.Put as Item);
        if (t.Update) return update(t.Update as Item);
        if (t.ConditionCheck) return item('ConditionCheckItem', { 'dynamodb:LeadingKeys': keys((t.ConditionCheck as Item).Key as Item) });
        if (t.Delete) return item('DeleteItem', { 'dynamodb:LeadingKeys': keys((t.Delete as Item).Key as Item) });
        throw new Error(`unknown transaction item ${JSON.stringify(Object.keys(t))}`);
      });
    default:
      return [{ action: `dynamodb:${commandName.replace(/Command$/, '')}`, resource: TABLE_ARN, context: {} }];
  }
}
