// Output formats per document, in a module with no imports: the CLI's option wiring reads them at start-up.

/** The plan: the structured ones, the change ticket as Markdown, and the ticket's model as JSON. */
export const PLAN_FORMATS = ['text', 'json', 'yaml', 'markdown', 'ticket-json'] as const;
