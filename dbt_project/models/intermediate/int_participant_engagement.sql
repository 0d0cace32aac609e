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

-- the first acceptance of each agreement
first_acceptances as (

    select distinct on (event_session_id, participant_id, agreement_id) *
    from agreements
    order by event_session_id, participant_id, agreement_id, accepted_at, event_id

),

-- what the participants did, in one shape, for one grouped pass
actions as (

    select
        event_session_id,
        participant_id,
        'message' as action,
        message_id as item_id,
        null::bigint as fire_count,
        null::timestamptz as accepted_at,
        null as agreement_id,
        null::jsonb as agreement
    from chat_messages
    union all
    select
        event_session_id,
        participant_id,
        'question' as action,
        question_id as item_id,
        null as fire_count,
        null as accepted_at,
        null as agreement_id,
        null as agreement
    from questions
    union all
    select
        event_session_id,
        participant_id,
        'fire' as action,
        null as item_id,
        fire_count,
        null as accepted_at,
        null as agreement_id,
        null as agreement
    from fires
    union all
    select
        event_session_id,
        participant_id,
        'payment' as action,
        null as item_id,
        null as fire_count,
        null as accepted_at,
        null as agreement_id,
        null as agreement
    from payments
    union all
    select
        event_session_id,
        participant_id,
        'agreement' as action,
        null as item_id,
        null as fire_count,
        accepted_at,
        agreement_id,
        jsonb_build_object(
            'agreement_id', agreement_id,
            'title', agreement_title,
            'accepted_at', to_char(accepted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        ) as agreement
    from first_acceptances

),

action_totals as (

    select
        event_session_id,
        participant_id,
        count(distinct item_id) filter (where action = 'message') as messages_count,
        count(distinct item_id) filter (where action = 'question') as questions_count,
        sum(fire_count) as fires_count,
        bool_or(action = 'payment') as has_paid,
        jsonb_agg(agreement order by accepted_at, agreement_id) filter (
            where action = 'agreement'
        ) as agreements
    from actions
    group by event_session_id, participant_id

),

counted as (

    select
        participants.event_session_id,
        participants.participant_id,
        coalesce(action_totals.messages_count, 0)::bigint as messages_count,
        session_engagement.messages_count as session_messages_count,
        coalesce(action_totals.questions_count, 0)::bigint as questions_count,
        session_engagement.questions_count as session_questions_count,
        coalesce(action_totals.fires_count, 0)::bigint as fires_count,
        case when action_totals.has_paid then 'paid' end as payment_status,
        coalesce(action_totals.agreements, '[]'::jsonb) as agreements
    from participants
    left join session_engagement
        on participants.event_session_id = session_engagement.event_session_id
    left join action_totals
        on
            participants.event_session_id = action_totals.event_session_id
            and participants.participant_id = action_totals.participant_id

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
