/* Offrec plugin tests: shared declarations of the headless libpurple client. */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include <purple.h>

/* Writes one JSON object as a line on the event stream (stdout) and, when a
 * transcript is open, into the transcript too. Takes ownership of node. */
void hc_emit(JsonNode *node);

/* Starts an event object {"event": name, ...}; finish with hc_emit_end. */
JsonBuilder *hc_event_begin(const char *name);
void hc_emit_end(JsonBuilder *b);

/* Writes a line to the transcript (stderr), prefixed with the account. */
void hc_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Request, notify and debug UI ops that record everything as events and let
 * the driver answer requests with the "answer" op. */
PurpleRequestUiOps *hc_request_ui_ops(void);
PurpleNotifyUiOps *hc_notify_ui_ops(void);
PurpleDebugUiOps *hc_debug_ui_ops(void);
void hc_debug_add_category(const char *category);

/* Answers pending request `id` from the "answer" op's object; returns FALSE
 * with *error set when there is no such request or the answer does not fit. */
gboolean hc_request_answer(JsonObject *op, char **error);
