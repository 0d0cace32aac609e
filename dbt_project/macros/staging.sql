{#- Column lists every platform event staging model shares (platform_events holds
    one event per row; its `payload` is the event type's JSON). -#}

{#- An event staging model selects, from raw.platform_events, the rows of its event
    type(s): `select {{ platform_event_columns('joined_at') }}, <its payload columns>
    {{ from_platform_events('participant.joined') }}`. -#}

{#- the keys of an event: which one, in which event session, of whose webinar, by
    which participant -#}
{% macro platform_event_keys() -%}
    event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id
{%- endmacro %}

{#- where a participant came from, as joins and registrations carry it: the
    referrer and the utm block, blank strings as NULL -#}
{% macro payload_attribution_columns(payload='payload') -%}
    nullif(trim({{ payload }} ->> 'referrer'), '') as referrer,
        nullif(trim({{ payload }} -> 'utm' ->> 'source'), '') as utm_source,
        nullif(trim({{ payload }} -> 'utm' ->> 'medium'), '') as utm_medium,
        nullif(trim({{ payload }} -> 'utm' ->> 'campaign'), '') as utm_campaign,
        nullif(trim({{ payload }} -> 'utm' ->> 'content'), '') as utm_content,
        nullif(trim({{ payload }} -> 'utm' ->> 'term'), '') as utm_term
{%- endmacro %}

{#- the columns every event staging model starts with: the keys, the raw file the
    event came from, and its instant under the model's own name -#}
{% macro platform_event_columns(occurred_as='occurred_at') -%}
    {{ platform_event_keys() }},
        file_id,
        occurred_at as {{ occurred_as }}
{%- endmacro %}

{#- `from` raw.platform_events `where` the event type is `event_types` (one, or a list).
    The model is a table holding its events' payload parsed once (every model and
    test downstream reads its columns, not the jsonb): raw rows are only ever
    appended, file by file, so a run adds the rows of the files it takes in
    (int_pending_files), deleting first any of theirs a failed run left (unique_key
    file_id); indexed on file_id (the data tests' scope) and event_session_id (the
    sessions a model rebuilds). -#}
{% macro from_platform_events(event_types) -%}
    {%- if event_types is string -%}{%- set event_types = [event_types] -%}{%- endif -%}
    {{- config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='file_id',
        on_schema_change='fail',
        post_hook=[
            '{{ index_on_unique_key() }}',
            "{{ index_on('event_session_id') }}",
            '{{ analyze_when_built() }}',
        ],
    ) -}}
    {%- set pending_files = ref('int_pending_files') %}
from {{ source('platform', 'platform_events') }}
where event_type in ('{{ event_types | join("', '") }}')
    {%- if is_incremental() %}
    and file_id = any(array(select pending_files.file_id from {{ pending_files }} as pending_files))
    {%- endif %}
{%- endmacro %}

{#- who a person says they are, as invitations and registrations carry it: blank
    strings as NULL, the form's extra fields as jsonb (a JSON null as NULL) -#}
{% macro payload_person_columns(payload='payload') -%}
    nullif(trim({{ payload }} ->> 'email'), '') as email,
        nullif(trim({{ payload }} ->> 'first_name'), '') as first_name,
        nullif(trim({{ payload }} ->> 'last_name'), '') as last_name,
        nullif({{ payload }} -> 'fields', 'null'::jsonb) as registration_fields
{%- endmacro %}
