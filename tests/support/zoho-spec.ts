import { z } from 'zod';

/**
 * The Zoho CRM API v8 operations Switchboard uses, transcribed from Zoho's published OpenAPI
 * descriptions (`crm-oas`, v8.0: module_search, record, related_records, notes, users), which are
 * in no package this project can install: the request bodies we send and the answers the Zoho
 * stand-in gives are checked against these schemas (`crm.zoho.test.ts`), so the stand-in cannot
 * drift into a private dialect. Only what the descriptions require or constrain is here; status
 * codes are not (the descriptions disagree among themselves on 200 and 201 for creation).
 */
const dateTime = z.iso.datetime({ offset: true });
/** users.json Minified_User */
const minifiedUser = z.looseObject({ name: z.string(), id: z.string().nullable(), email: z.string().optional() });
/** module_search.json / record.json Record (in answers: an id, and the fields asked for) */
const record = z.looseObject({ id: z.string().nullable() });
const info = z.looseObject({
  per_page: z.number().int().optional(),
  count: z.number().int().optional(),
  page: z.number().int().optional(),
  more_records: z.boolean().optional(),
});
/** module_search.json, record.json, related_records.json Response_Wrapper */
const responseWrapper = z.looseObject({ data: z.array(record), info: info.optional() });
/** notes.json and record.json Success_Response */
const successResponse = z.strictObject({
  code: z.literal('SUCCESS'),
  status: z.literal('success'),
  message: z.enum(['record updated', 'record deleted', 'record added']),
  details: z.looseObject({ Modified_Time: dateTime, Modified_By: minifiedUser, Created_Time: dateTime, id: z.string(), Created_By: minifiedUser }),
});
const actionAnswer = z.looseObject({ data: z.array(successResponse) });
const noteFields = { Note_Title: z.string().max(120).nullable().optional(), Note_Content: z.string().max(65535).nullable().optional() };
/** notes.yaml createNotesModule */
const createNotes = z.strictObject({
  data: z
    .array(
      z.looseObject({
        ...noteFields,
        Parent_Id: z.strictObject({ module: z.strictObject({ api_name: z.string().max(50), id: z.string().optional() }), id: z.string() }),
      }),
    )
    .max(100),
});
/** notes.yaml update of one note */
const updateNote = z.strictObject({ data: z.array(z.looseObject(noteFields)).max(100) });
/** record.json insert records */
const createRecords = z.looseObject({ data: z.array(z.looseObject({})).max(100) });

/** By operation (method and the stand-in's route): the request body's schema, if any, and the answer's. */
export const ZOHO_OPERATIONS: Record<string, { request?: z.ZodType; answer: z.ZodType }> = {
  'GET /crm/v8/:module/search': { answer: responseWrapper },
  'GET /crm/v8/:module/:id': { answer: responseWrapper },
  'GET /crm/v8/:module/:id/Notes': { answer: responseWrapper },
  'POST /crm/v8/:module': { request: createRecords, answer: actionAnswer },
  'POST /crm/v8/Notes': { request: createNotes, answer: actionAnswer },
  'PUT /crm/v8/Notes/:id': { request: updateNote, answer: actionAnswer },
  /** notes.json Delete Note */
  'DELETE /crm/v8/Notes/:id': { answer: actionAnswer },
};

/** The stand-in registers one route for records and notes creation; which operation a call was. */
export const zohoOperation = (method: string, route: string, path: string) =>
  method === 'POST' && route === '/crm/v8/:module' && path.startsWith('/crm/v8/Notes') ? 'POST /crm/v8/Notes' : `${method} ${route}`;

export function zohoShapeErrors(schema: z.ZodType, body: unknown): string[] {
  const r = schema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '$'}: ${i.message}`);
}
