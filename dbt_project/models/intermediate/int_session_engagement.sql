{{ config(meta={'rebuild_scope': 'touched'}) }}
-- depends_on: {{ ref('int_event_sessions') }}
{# One row per event session: its chat messages, questions and fires, every role's.
    Computed once here for fct_event_sessions (the session's totals) and
    int_participant_engagement (the denominators of messages_pct / questions_pct). -#}

with {{ rebuilt_imports({
    'sessions': 'int_event_sessions', 'chat_messages': 'stg_platform__chat_messages',
    'questions': 'stg_platform__questions', 'fires': 'stg_platform__fires'
}, scope='touched') }},

message_totals as (

    select
        event_session_id,
        count(distinct message_id) as messages_count
    from chat_messages
    group by event_session_id

),

question_totals as (

    select
        event_session_id,
        count(distinct question_id) as questions_count
    from questions
    group by event_session_id

),

fire_totals as (

    select
        event_session_id,
        sum(fire_count) as fires_count
    from fires
    group by event_session_id

),

final as (

    select
        sessions.event_session_id,
        coalesce(message_totals.messages_count, 0)::bigint as messages_count,
        coalesce(question_totals.questions_count, 0)::bigint as questions_count,
        coalesce(fire_totals.fires_count, 0)::bigint as fires_count
    from sessions
    left join message_totals on sessions.event_session_id = message_totals.event_session_id
    left join question_totals on sessions.event_session_id = question_totals.event_session_id
    left join fire_totals on sessions.event_session_id = fire_totals.event_session_id

)

select * from final
