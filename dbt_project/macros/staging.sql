{#- Column lists every platform event staging model shares (platform_events holds
    one event per row; its `payload` is the event type's JSON). -#}

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
