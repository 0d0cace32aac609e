{{ config(unique_key=['event_session_id', 'participant_id']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{# One row per (event session, participant) of a started session, as in
    fct_participants: what the participant did besides being there - chat
    messages, questions, fires (with their shares of the session's totals from
    int_session_engagement), payment and the agreements accepted. -#}

with participants as (

    {{ select_rebuilt('int_participant_identity', where='session_started_at is not null') }}

),

{{ rebuilt_imports({
    'session_engagement': 'int_session_engagement',
    'chat_messages': 'stg_platform__chat_messages', 'questions': 'stg_platform__questions',
    'fires': 'stg_platform__fires', 'payments': 'stg_platform__payments',
    'agreements': 'stg_platform__agreements'
}) }},

message_counts as (

    select
        event_session_id,
        participant_id,
        count(distinct message_id) as messages_count
    from chat_messages
    group by event_session_id, participant_id

),

question_counts as (

    select
        event_session_id,
        participant_id,
        count(distinct question_id) as questions_count
    from questions
    group by event_session_id, participant_id

),

fire_counts as (

    select
        event_session_id,
        participant_id,
        sum(fire_count) as fires_count
    from fires
    group by event_session_id, participant_id

),

paid as (

    select distinct
        event_session_id,
        participant_id
    from payments

),

-- the first acceptance of each agreement
first_acceptances as (

    select distinct on (event_session_id, participant_id, agreement_id) *
    from agreements
    order by event_session_id, participant_id, agreement_id, accepted_at, event_id

),

agreement_lists as (

    select
        event_session_id,
        participant_id,
        jsonb_agg(
            jsonb_build_object(
                'agreement_id', agreement_id,
                'title', agreement_title,
                'accepted_at', to_char(accepted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            )
            order by accepted_at, agreement_id
        ) as agreements
    from first_acceptances
    group by event_session_id, participant_id

),

counted as (

    select
        participants.event_session_id,
        participants.participant_id,
        coalesce(message_counts.messages_count, 0)::bigint as messages_count,
        session_engagement.messages_count as session_messages_count,
        coalesce(question_counts.questions_count, 0)::bigint as questions_count,
        session_engagement.questions_count as session_questions_count,
        coalesce(fire_counts.fires_count, 0)::bigint as fires_count,
        case when paid.participant_id is not null then 'paid' end as payment_status,
        coalesce(agreement_lists.agreements, '[]'::jsonb) as agreements
    from participants
    left join session_engagement
        on participants.event_session_id = session_engagement.event_session_id
    left join message_counts
        on
            participants.event_session_id = message_counts.event_session_id
            and participants.participant_id = message_counts.participant_id
    left join question_counts
        on
            participants.event_session_id = question_counts.event_session_id
            and participants.participant_id = question_counts.participant_id
    left join fire_counts
        on
            participants.event_session_id = fire_counts.event_session_id
            and participants.participant_id = fire_counts.participant_id
    left join paid
        on
            participants.event_session_id = paid.event_session_id
            and participants.participant_id = paid.participant_id
    left join agreement_lists
        on
            participants.event_session_id = agreement_lists.event_session_id
            and participants.participant_id = agreement_lists.participant_id

),

final as (

    select
        event_session_id,
        participant_id,
        messages_count,
        {{ pct('messages_count', 'session_messages_count') }} as messages_pct,
        questions_count,
        {{ pct('questions_count', 'session_questions_count') }} as questions_pct,
        fires_count,
        payment_status,
        agreements
    from counted

)

select * from final
