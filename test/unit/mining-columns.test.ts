import { describe, expect, it } from 'vitest';
import { detectColumns, eventsFromTable, EventLogInputError, makeTimestampParser, type EventTable } from '../../functions/core/mining/columns.js';

const HELPDESK_HEADER = [
  'Case ID',
  'Activity',
  'Resource',
  'Complete Timestamp',
  'Variant',
  'Variant index',
  'Variant',
  'seriousness',
  'customer',
  'product',
  'responsible_section',
  'seriousness_2',
  'service_level',
  'service_type',
  'support_section',
  'workgroup',
];
const BPIC_HEADER = ['case:concept:name', 'concept:name', 'lifecycle:transition', 'time:timestamp', 'org:resource', 'org:group', 'org:role', 'impact'];

describe('column detection', () => {
  it('maps the helpdesk columns', () => {
    const { mapping } = detectColumns({ columns: HELPDESK_HEADER, rows: [] });
    expect(mapping).toEqual({ caseId: 'Case ID', activity: ['Activity'], timestamp: 'Complete Timestamp', resource: 'Resource', group: 'workgroup' });
  });

  it('maps the BPIC 2013 columns, joining the lifecycle when it carries sub-statuses', () => {
    const table: EventTable = { columns: BPIC_HEADER, rows: [['1', 'Accepted', 'In Progress', '2010-03-31T16:59:42+02:00', 'Fred', 'V30', 'A2_4', 'Medium']] };
    const { mapping, notes } = detectColumns(table);
    expect(mapping).toEqual({
      caseId: 'case:concept:name',
      activity: ['concept:name', 'lifecycle:transition'],
      timestamp: 'time:timestamp',
      resource: 'org:resource',
      group: 'org:group',
    });
    expect(notes.join('\n')).toContain('lifecycle');
  });

  it('ignores a lifecycle column that only ever says complete', () => {
    const table: EventTable = { columns: BPIC_HEADER, rows: [['1', 'A', 'complete', '2010-03-31T16:59:42Z', 'x', 'y', 'z', 'w']] };
    expect(detectColumns(table).mapping.activity).toEqual(['concept:name']);
  });

  it("follows a log's declared classifier", () => {
    const table: EventTable = {
      columns: BPIC_HEADER,
      rows: [],
      declaredActivityClassifier: { name: 'Activity classifier', keys: ['concept:name', 'lifecycle:transition'] },
    };
    expect(detectColumns(table).mapping.activity).toEqual(['concept:name', 'lifecycle:transition']);
  });

  it('takes explicit columns, including none for the resource', () => {
    const { mapping } = detectColumns({ columns: HELPDESK_HEADER, rows: [] }, { activity: 'Activity+seriousness', resource: '', group: 'support_section' });
    expect(mapping.activity).toEqual(['Activity', 'seriousness']);
    expect(mapping.resource).toBeUndefined();
    expect(mapping.group).toBe('support_section');
  });

  it('says which column is missing', () => {
    expect(() => detectColumns({ columns: ['id', 'what', 'when'], rows: [] })).toThrow(EventLogInputError);
    expect(() => detectColumns({ columns: HELPDESK_HEADER, rows: [] }, { timestamp: 'Start' })).toThrow(/no column "Start"/);
  });
});

describe('timestamps', () => {
  const auto = makeTimestampParser();

  it('reads ISO 8601 and its common variants, naive times as UTC', () => {
    expect(auto('2012/10/09 14:50:17.000')).toBe(Date.UTC(2012, 9, 9, 14, 50, 17));
    expect(auto('2010-03-31T16:59:42+02:00')).toBe(Date.UTC(2010, 2, 31, 14, 59, 42));
    expect(auto('2010-03-31T16:59:42.5-0130')).toBe(Date.UTC(2010, 2, 31, 18, 29, 42, 500));
    expect(auto('2026-11-23T10:00:00.123Z')).toBe(Date.UTC(2026, 10, 23, 10, 0, 0, 123));
    expect(auto('2026-11-23')).toBe(Date.UTC(2026, 10, 23));
    expect(auto('1700000000')).toBe(1_700_000_000_000);
    expect(auto('1700000000123')).toBe(1_700_000_000_123);
  });

  it('rejects what is not a time', () => {
    expect(auto('yesterday')).toBeUndefined();
    expect(auto('2012/13/09 14:50:17')).toBeUndefined();
  });

  it('reads naive times in a given zone and custom formats', () => {
    expect(makeTimestampParser({ zone: 'Europe/Rome' })('2012/10/09 14:50:17')).toBe(Date.UTC(2012, 9, 9, 12, 50, 17));
    expect(makeTimestampParser({ format: 'dd-MM-yyyy HH:mm' })('31-03-2010 16:59')).toBe(Date.UTC(2010, 2, 31, 16, 59));
    expect(makeTimestampParser({ format: 'epoch-s' })('12.5')).toBe(12_500);
  });
});

describe('table to events', () => {
  it('maps rows, keeps the other columns as attributes (repeated names numbered) and counts skipped rows', () => {
    const table: EventTable = {
      columns: ['Case ID', 'Activity', 'Complete Timestamp', 'Resource', 'Variant', 'Variant'],
      rows: [
        ['Case 1', 'Open', '2012/10/09 14:50:17.000', 'Value 1', 'V1', '1'],
        ['', 'Open', '2012/10/09 14:50:17.000', 'Value 1', 'V1', '1'],
        ['Case 2', '', '2012/10/09 14:50:17.000', 'Value 1', 'V1', '1'],
        ['Case 3', 'Open', 'not a time', 'Value 1', 'V1', '1'],
        ['Case 4', 'Close', '2012/10/10 09:00:00.000', '', 'V2'],
      ],
    };
    const { mapping } = detectColumns(table);
    const { events, skipped } = eventsFromTable(table, mapping, makeTimestampParser());
    expect(events).toEqual([
      {
        caseId: 'Case 1',
        activity: 'Open',
        timestamp: Date.UTC(2012, 9, 9, 14, 50, 17),
        resource: 'Value 1',
        attributes: { Variant: 'V1', 'Variant (2)': '1' },
      },
      { caseId: 'Case 4', activity: 'Close', timestamp: Date.UTC(2012, 9, 10, 9), attributes: { Variant: 'V2' } },
    ]);
    expect(skipped).toEqual({ missingCase: 1, missingActivity: 1, badTimestamp: 1, firstBadTimestamp: 'not a time' });
  });
});
