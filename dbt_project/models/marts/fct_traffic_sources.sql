{{ config(unique_key=['event_session_id', 'referrer_source']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{# the participants of each session by where they came from (macros/metrics.sql) #}
{{ participant_shares('referrer_source', 'referrer_source') }}
