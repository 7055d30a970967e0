/** The event-log export formats (functions/core/mining/export-*.ts): flat CSV, IEEE XES, OCEL 2.0 JSON. */
export const EXPORT_FORMATS = ['csv', 'xes', 'ocel'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
