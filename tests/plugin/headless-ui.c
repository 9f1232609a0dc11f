/* Offrec plugin tests: request, notify and debug UI ops of the headless client.
 */
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "headless.h"

/* One request the plugin (or libpurple) opened and the driver may answer. */
typedef struct {
    guint id;
    PurpleRequestType type;
    GCallback ok_cb;
    GCallback cancel_cb;
    void *user_data;
    PurpleRequestFields *fields;
    GPtrArray *labels;     /* action/choice labels */
    GArray *action_cbs;    /* GCallback per action */
    GArray *choice_values; /* int per choice */
} Pending;

static GHashTable *pending; /* id -> Pending* */
static guint next_id = 1;
static GHashTable *debug_categories;

static void
pending_free(Pending *p)
{
    if (p->fields != NULL)
        purple_request_fields_destroy(p->fields);
    if (p->labels != NULL)
        g_ptr_array_free(p->labels, TRUE);
    if (p->action_cbs != NULL)
        g_array_free(p->action_cbs, TRUE);
    if (p->choice_values != NULL)
        g_array_free(p->choice_values, TRUE);
    g_free(p);
}

static Pending *
pending_new(PurpleRequestType type,
            GCallback ok_cb,
            GCallback cancel_cb,
            void *user_data)
{
    Pending *p = g_new0(Pending, 1);
    if (pending == NULL)
        pending = g_hash_table_new(g_direct_hash, g_direct_equal);
    p->id = next_id++;
    p->type = type;
    p->ok_cb = ok_cb;
    p->cancel_cb = cancel_cb;
    p->user_data = user_data;
    g_hash_table_insert(pending, GUINT_TO_POINTER(p->id), p);
    return p;
}

static JsonBuilder *
request_event(Pending *p,
              const char *kind,
              const char *title,
              const char *primary,
              const char *secondary,
              PurpleConversation *conv,
              const char *who)
{
    JsonBuilder *b = hc_event_begin("request");
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, p->id);
    json_builder_set_member_name(b, "kind");
    json_builder_add_string_value(b, kind);
    json_builder_set_member_name(b, "title");
    json_builder_add_string_value(b, title ? title : "");
    json_builder_set_member_name(b, "primary");
    json_builder_add_string_value(b, primary ? primary : "");
    json_builder_set_member_name(b, "secondary");
    json_builder_add_string_value(b, secondary ? secondary : "");
    json_builder_set_member_name(b, "who");
    json_builder_add_string_value(b, who ? who
                                         : (conv ? purple_conversation_get_name(
                                                       conv)
                                                 : ""));
    return b;
}

static const char *
field_type_name(PurpleRequestFieldType t)
{
    switch (t) {
    case PURPLE_REQUEST_FIELD_NONE:
        return "none";
    case PURPLE_REQUEST_FIELD_STRING:
        return "string";
    case PURPLE_REQUEST_FIELD_INTEGER:
        return "integer";
    case PURPLE_REQUEST_FIELD_BOOLEAN:
        return "boolean";
    case PURPLE_REQUEST_FIELD_CHOICE:
        return "choice";
    case PURPLE_REQUEST_FIELD_LIST:
        return "list";
    case PURPLE_REQUEST_FIELD_LABEL:
        return "label";
    case PURPLE_REQUEST_FIELD_IMAGE:
        return "image";
    case PURPLE_REQUEST_FIELD_ACCOUNT:
        return "account";
    }
    return "unknown";
}

static void
add_string_list(JsonBuilder *b, const char *name, GList *l)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    for (; l != NULL; l = l->next)
        json_builder_add_string_value(b, l->data ? l->data : "");
    json_builder_end_array(b);
}

static void
describe_field(JsonBuilder *b, PurpleRequestField *f)
{
    PurpleRequestFieldType t = purple_request_field_get_type(f);
    const char *s;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_string_value(b, purple_request_field_get_id(f));
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, field_type_name(t));
    json_builder_set_member_name(b, "label");
    s = purple_request_field_get_label(f);
    json_builder_add_string_value(b, s ? s : "");
    json_builder_set_member_name(b, "required");
    json_builder_add_boolean_value(b, purple_request_field_is_required(f));
    switch (t) {
    case PURPLE_REQUEST_FIELD_STRING:
        json_builder_set_member_name(b, "masked");
        json_builder_add_boolean_value(b, purple_request_field_string_is_masked(
                                              f));
        json_builder_set_member_name(b, "value");
        s = purple_request_field_string_get_default_value(f);
        json_builder_add_string_value(b, s ? s : "");
        break;
    case PURPLE_REQUEST_FIELD_INTEGER:
        json_builder_set_member_name(b, "value");
        json_builder_add_int_value(b,
                                   purple_request_field_int_get_default_value(
                                       f));
        break;
    case PURPLE_REQUEST_FIELD_BOOLEAN:
        json_builder_set_member_name(b, "value");
        json_builder_add_boolean_value(
            b, purple_request_field_bool_get_default_value(f));
        break;
    case PURPLE_REQUEST_FIELD_CHOICE:
        add_string_list(b, "choices",
                        purple_request_field_choice_get_labels(f));
        json_builder_set_member_name(b, "value");
        json_builder_add_int_value(
            b, purple_request_field_choice_get_default_value(f));
        break;
    case PURPLE_REQUEST_FIELD_LIST:
        add_string_list(b, "items", purple_request_field_list_get_items(f));
        add_string_list(b, "selected",
                        purple_request_field_list_get_selected(f));
        break;
    case PURPLE_REQUEST_FIELD_LABEL:
    case PURPLE_REQUEST_FIELD_NONE:
    case PURPLE_REQUEST_FIELD_IMAGE:
    case PURPLE_REQUEST_FIELD_ACCOUNT:
        break;
    }
    json_builder_end_object(b);
}

static void *
op_request_input(const char *title,
                 const char *primary,
                 const char *secondary,
                 const char *default_value,
                 gboolean multiline,
                 gboolean masked,
                 gchar *hint,
                 const char *ok_text,
                 GCallback ok_cb,
                 const char *cancel_text,
                 GCallback cancel_cb,
                 PurpleAccount *account,
                 const char *who,
                 PurpleConversation *conv,
                 void *user_data)
{
    Pending *p = pending_new(PURPLE_REQUEST_INPUT, ok_cb, cancel_cb, user_data);
    JsonBuilder *b =
        request_event(p, "input", title, primary, secondary, conv, who);
    json_builder_set_member_name(b, "masked");
    json_builder_add_boolean_value(b, masked);
    json_builder_set_member_name(b, "value");
    json_builder_add_string_value(b, default_value ? default_value : "");
    hc_emit_end(b);
    return p;
}

static void *
op_request_choice(const char *title,
                  const char *primary,
                  const char *secondary,
                  int default_value,
                  const char *ok_text,
                  GCallback ok_cb,
                  const char *cancel_text,
                  GCallback cancel_cb,
                  PurpleAccount *account,
                  const char *who,
                  PurpleConversation *conv,
                  void *user_data,
                  va_list choices)
{
    Pending *p =
        pending_new(PURPLE_REQUEST_CHOICE, ok_cb, cancel_cb, user_data);
    const char *label;
    JsonBuilder *b;

    p->labels = g_ptr_array_new_with_free_func(g_free);
    p->choice_values = g_array_new(FALSE, FALSE, sizeof(int));
    while ((label = va_arg(choices, const char *)) != NULL) {
        int v = va_arg(choices, int);
        g_ptr_array_add(p->labels, g_strdup(label));
        g_array_append_val(p->choice_values, v);
    }
    b = request_event(p, "choice", title, primary, secondary, conv, who);
    json_builder_set_member_name(b, "choices");
    json_builder_begin_array(b);
    for (guint i = 0; i < p->labels->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(p->labels, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "value");
    json_builder_add_int_value(b, default_value);
    hc_emit_end(b);
    return p;
}

static void *
op_request_action(const char *title,
                  const char *primary,
                  const char *secondary,
                  int default_action,
                  PurpleAccount *account,
                  const char *who,
                  PurpleConversation *conv,
                  void *user_data,
                  size_t action_count,
                  va_list actions)
{
    Pending *p = pending_new(PURPLE_REQUEST_ACTION, NULL, NULL, user_data);
    JsonBuilder *b;

    p->labels = g_ptr_array_new_with_free_func(g_free);
    p->action_cbs = g_array_new(FALSE, TRUE, sizeof(GCallback));
    for (size_t i = 0; i < action_count; i++) {
        const char *label = va_arg(actions, const char *);
        GCallback cb = va_arg(actions, GCallback);
        g_ptr_array_add(p->labels, g_strdup(label ? label : ""));
        g_array_append_val(p->action_cbs, cb);
    }
    b = request_event(p, "action", title, primary, secondary, conv, who);
    json_builder_set_member_name(b, "actions");
    json_builder_begin_array(b);
    for (guint i = 0; i < p->labels->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(p->labels, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "default");
    json_builder_add_int_value(b, default_action);
    hc_emit_end(b);
    return p;
}

static void *
op_request_fields(const char *title,
                  const char *primary,
                  const char *secondary,
                  PurpleRequestFields *fields,
                  const char *ok_text,
                  GCallback ok_cb,
                  const char *cancel_text,
                  GCallback cancel_cb,
                  PurpleAccount *account,
                  const char *who,
                  PurpleConversation *conv,
                  void *user_data)
{
    Pending *p =
        pending_new(PURPLE_REQUEST_FIELDS, ok_cb, cancel_cb, user_data);
    JsonBuilder *b;

    p->fields = fields;
    b = request_event(p, "fields", title, primary, secondary, conv, who);
    json_builder_set_member_name(b, "fields");
    json_builder_begin_array(b);
    for (GList *g = purple_request_fields_get_groups(fields); g; g = g->next)
        for (GList *f = purple_request_field_group_get_fields(g->data); f;
             f = f->next)
            describe_field(b, f->data);
    json_builder_end_array(b);
    hc_emit_end(b);
    return p;
}

static void
op_close_request(PurpleRequestType type, void *ui_handle)
{
    Pending *p = ui_handle;
    JsonBuilder *b;

    if (p == NULL || pending == NULL ||
        !g_hash_table_remove(pending, GUINT_TO_POINTER(p->id)))
        return;
    b = hc_event_begin("request-closed");
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, p->id);
    hc_emit_end(b);
    pending_free(p);
}

static PurpleRequestUiOps request_ops = {
    .request_input = op_request_input,
    .request_choice = op_request_choice,
    .request_action = op_request_action,
    .request_fields = op_request_fields,
    .close_request = op_close_request,
};

PurpleRequestUiOps *
hc_request_ui_ops(void)
{
    return &request_ops;
}

/* Applies {"id": value} answers to the fields of a pending request. */
static gboolean
fill_fields(PurpleRequestFields *fields, JsonObject *answers, char **error)
{
    GList *names = json_object_get_members(answers);
    gboolean ok = TRUE;

    for (GList *l = names; l != NULL && ok; l = l->next) {
        const char *id = l->data;
        JsonNode *v = json_object_get_member(answers, id);
        PurpleRequestField *f = purple_request_fields_get_field(fields, id);
        PurpleRequestFieldType t;

        if (f == NULL) {
            *error = g_strdup_printf("no field '%s'", id);
            ok = FALSE;
            break;
        }
        t = purple_request_field_get_type(f);
        switch (t) {
        case PURPLE_REQUEST_FIELD_STRING:
            purple_request_field_string_set_value(f, json_node_get_string(v));
            break;
        case PURPLE_REQUEST_FIELD_INTEGER:
            purple_request_field_int_set_value(f, json_node_get_int(v));
            break;
        case PURPLE_REQUEST_FIELD_BOOLEAN:
            purple_request_field_bool_set_value(f, json_node_get_boolean(v));
            break;
        case PURPLE_REQUEST_FIELD_CHOICE:
            purple_request_field_choice_set_value(f, json_node_get_int(v));
            break;
        case PURPLE_REQUEST_FIELD_LIST:
            if (json_node_get_string(v) == NULL ||
                g_list_find_custom(purple_request_field_list_get_items(f),
                                   json_node_get_string(v),
                                   (GCompareFunc)g_strcmp0) == NULL) {
                *error = g_strdup_printf("no such item in list '%s'", id);
                ok = FALSE;
                break;
            }
            purple_request_field_list_clear_selected(f);
            purple_request_field_list_add_selected(f, json_node_get_string(v));
            break;
        case PURPLE_REQUEST_FIELD_LABEL:
        case PURPLE_REQUEST_FIELD_NONE:
        case PURPLE_REQUEST_FIELD_IMAGE:
        case PURPLE_REQUEST_FIELD_ACCOUNT:
            *error = g_strdup_printf("field '%s' cannot be answered", id);
            ok = FALSE;
            break;
        }
    }
    g_list_free(names);
    return ok;
}

gboolean
hc_request_answer(JsonObject *op, char **error)
{
    guint id = (guint)json_object_get_int_member_with_default(op, "id", 0);
    gboolean cancel =
        json_object_get_boolean_member_with_default(op, "cancel", FALSE);
    Pending *p =
        pending ? g_hash_table_lookup(pending, GUINT_TO_POINTER(id)) : NULL;
    PurpleRequestType type;

    if (p == NULL) {
        *error = g_strdup_printf("no pending request %u", id);
        return FALSE;
    }
    type = p->type;
    switch (type) {
    case PURPLE_REQUEST_INPUT: {
        GCallback cb = cancel ? p->cancel_cb : p->ok_cb;
        const char *text =
            json_object_get_string_member_with_default(op, "text", "");
        if (cb != NULL)
            ((PurpleRequestInputCb)cb)(p->user_data, text);
        break;
    }
    case PURPLE_REQUEST_CHOICE: {
        GCallback cb = cancel ? p->cancel_cb : p->ok_cb;
        int v = (int)json_object_get_int_member_with_default(op, "value", 0);
        if (cb != NULL)
            ((PurpleRequestChoiceCb)cb)(p->user_data, v);
        break;
    }
    case PURPLE_REQUEST_ACTION: {
        gint64 i = json_object_get_int_member_with_default(op, "action", -1);
        GCallback cb;
        if (i < 0 || (guint64)i >= p->action_cbs->len) {
            *error =
                g_strdup_printf("request %u has no action %" G_GINT64_FORMAT,
                                id, i);
            return FALSE;
        }
        cb = g_array_index(p->action_cbs, GCallback, (guint)i);
        if (cb != NULL)
            ((PurpleRequestActionCb)cb)(p->user_data, (int)i);
        break;
    }
    case PURPLE_REQUEST_FIELDS: {
        GCallback cb = cancel ? p->cancel_cb : p->ok_cb;
        JsonObject *answers = json_object_has_member(op, "fields")
                                  ? json_object_get_object_member(op, "fields")
                                  : NULL;
        if (!cancel && answers != NULL &&
            !fill_fields(p->fields, answers, error))
            return FALSE;
        if (cb != NULL)
            ((PurpleRequestFieldsCb)cb)(p->user_data, p->fields);
        break;
    }
    case PURPLE_REQUEST_FILE:
    case PURPLE_REQUEST_FOLDER:
    case PURPLE_REQUEST_SCREENSHARE:
        *error = g_strdup("file requests are not supported");
        return FALSE;
    }
    /* The callback may already have closed it; close is a no-op then. */
    if (g_hash_table_lookup(pending, GUINT_TO_POINTER(id)) == p)
        purple_request_close(type, p);
    return TRUE;
}

/* ---- notify ------------------------------------------------------------ */

static void *
notify_event(const char *kind,
             const char *title,
             const char *primary,
             const char *secondary,
             const char *text)
{
    JsonBuilder *b = hc_event_begin("notify");
    json_builder_set_member_name(b, "kind");
    json_builder_add_string_value(b, kind);
    json_builder_set_member_name(b, "title");
    json_builder_add_string_value(b, title ? title : "");
    json_builder_set_member_name(b, "primary");
    json_builder_add_string_value(b, primary ? primary : "");
    json_builder_set_member_name(b, "secondary");
    json_builder_add_string_value(b, secondary ? secondary : "");
    if (text != NULL) {
        char *plain = purple_markup_strip_html(text);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, plain);
        g_free(plain);
    }
    hc_emit_end(b);
    return g_new0(char, 1); /* non-NULL handle, freed in close_notify */
}

static void *
op_notify_message(PurpleNotifyMsgType type,
                  const char *title,
                  const char *primary,
                  const char *secondary)
{
    const char *kind = type == PURPLE_NOTIFY_MSG_ERROR     ? "error"
                       : type == PURPLE_NOTIFY_MSG_WARNING ? "warning"
                                                           : "info";
    return notify_event(kind, title, primary, secondary, NULL);
}

static void *
op_notify_formatted(const char *title,
                    const char *primary,
                    const char *secondary,
                    const char *text)
{
    return notify_event("formatted", title, primary, secondary, text);
}

static void *
op_notify_userinfo(PurpleConnection *gc,
                   const char *who,
                   PurpleNotifyUserInfo *user_info)
{
    return notify_event("userinfo", who, NULL, NULL, NULL);
}

static void *
op_notify_uri(const char *uri)
{
    return notify_event("uri", uri, NULL, NULL, NULL);
}

static void
op_close_notify(PurpleNotifyType type, void *ui_handle)
{
    g_free(ui_handle);
}

static PurpleNotifyUiOps notify_ops = {
    .notify_message = op_notify_message,
    .notify_formatted = op_notify_formatted,
    .notify_userinfo = op_notify_userinfo,
    .notify_uri = op_notify_uri,
    .close_notify = op_close_notify,
};

PurpleNotifyUiOps *
hc_notify_ui_ops(void)
{
    return &notify_ops;
}

/* ---- debug ------------------------------------------------------------- */

void
hc_debug_add_category(const char *category)
{
    if (debug_categories == NULL)
        debug_categories =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_add(debug_categories, g_strdup(category));
}

static void
op_debug_print(PurpleDebugLevel level, const char *category, const char *arg)
{
    char *line = g_strchomp(g_strdup(arg ? arg : ""));

    hc_log("debug %s: %s", category ? category : "-", line);
    if (category != NULL && debug_categories != NULL &&
        g_hash_table_contains(debug_categories, category)) {
        JsonBuilder *b = hc_event_begin("debug");
        json_builder_set_member_name(b, "category");
        json_builder_add_string_value(b, category);
        json_builder_set_member_name(b, "level");
        json_builder_add_int_value(b, level);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, line);
        hc_emit_end(b);
    }
    g_free(line);
}

static gboolean
op_debug_is_enabled(PurpleDebugLevel level, const char *category)
{
    return TRUE;
}

static PurpleDebugUiOps debug_ops = {
    .print = op_debug_print,
    .is_enabled = op_debug_is_enabled,
};

PurpleDebugUiOps *
hc_debug_ui_ops(void)
{
    return &debug_ops;
}
