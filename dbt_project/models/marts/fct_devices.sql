{{ config(unique_key=['event_session_id', 'platform']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{# the participants of each session by their primary platform (macros/metrics.sql) #}
{{ participant_shares('primary_platform', 'platform') }}
