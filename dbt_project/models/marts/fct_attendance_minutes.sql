{{ config(unique_key=['event_session_id', 'minute_at']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{#- scheduling only: dbt starts the ready model of the lowest graph depth first, and
    this mart (no model reads it) would take a thread before int_participant_engagement,
    on which fct_participants -> fct_event_sessions wait -#}
-- depends_on: {{ ref('int_participant_engagement') }}
{%- set of_participants -%}
    (event_session_id, participant_id) in (
        select
            participants.event_session_id,
            participants.participant_id
        from participants
    )
{%- endset %}

-- a quarantined session (longer than var max_session_days: a clock gone wrong) gets
-- no minutes: ~2 years of them would be a million rows for nothing
with sessions as (

    {{ select_rebuilt(
        'int_event_sessions', where="started_at is not null and status <> 'quarantined'"
    ) }}

),

participants as ({{ select_rebuilt('int_participant_identity', where="role = 'participant'") }}),

-- the minutes count the participants (role participant): their presence and connections
{{ rebuilt_imports({
    'presence': ['int_participant_presence', of_participants],
    'participant_connections': ['int_connections', of_participants],
    'chat_messages': 'stg_platform__chat_messages', 'questions': 'stg_platform__questions',
    'fires': 'stg_platform__fires'
}) }},

-- the first and last minute of each session (none when it lasts 0 s from a minute's
-- start: then last_minute_at < first_minute_at)
session_bounds as (

    select
        event_session_id,
        measured_until,
        date_trunc('minute', started_at) as first_minute_at,
        {{ last_session_minute('measured_until') }} as last_minute_at
    from sessions

),

-- every minute that overlaps the session [started_at, ended_at)
session_minutes as (

    select
        session_bounds.event_session_id,
        minute_at
    from session_bounds
    cross join
        lateral generate_series(
            session_bounds.first_minute_at,
            session_bounds.last_minute_at,
            interval '1 minute'
        ) as minute_at

),

-- the participants' presence intervals (merged per participant, so open intervals
-- = distinct participants)
participant_intervals as (

    select
        presence.event_session_id,
        interval_range
    from presence
    cross join lateral unnest(presence.presence_intervals) as interval_range

),

-- every instant where the count can change (+1 where an interval starts, -1 where it
-- ends), plus every minute's start (delta 0)
steps as (

    {{ interval_steps('participant_intervals') }}
    union all
    select
        event_session_id,
        minute_at as step_at,
        0 as step
    from session_minutes

),

-- one row per instant: the leaves and joins of one instant net out first, so a
-- leave and a join at the same second never overlap (half-open intervals)
step_totals as (

    select
        event_session_id,
        step_at,
        sum(step) as delta
    from steps
    group by event_session_id, step_at

),

-- how many are online from each instant until the next one
levels as (

    select
        event_session_id,
        step_at,
        sum(delta) over (
            partition by event_session_id
            order by step_at
            rows between unbounded preceding and current row
        ) as online_from
    from step_totals

),

-- messages and questions: each id counts once, at its first posting (the session
-- totals count distinct ids)
posts as (

    select
        event_session_id,
        'message' as kind,
        message_id as post_id,
        posted_at as happened_at,
        event_id
    from chat_messages
    union all
    select
        event_session_id,
        'question' as kind,
        question_id as post_id,
        asked_at as happened_at,
        event_id
    from questions

),

first_posts as (

    select distinct on (event_session_id, kind, post_id)
        event_session_id,
        happened_at,
        kind
    from posts
    where post_id is not null
    order by event_session_id, kind, post_id, happened_at, event_id

),

-- what happened when, in one shape: kind and how much. Each participant connection
-- joins at its clipped start and, once it has ended (left or inferred: not while open
-- in a session in progress), leaves at its clipped end
session_events as (

    select
        event_session_id,
        clipped_joined_at as happened_at,
        'join' as kind,
        1 as amount
    from participant_connections
    union all
    select
        event_session_id,
        clipped_left_at as happened_at,
        'leave' as kind,
        1 as amount
    from participant_connections
    where left_at is not null
    union all
    select
        event_session_id,
        happened_at,
        kind,
        1 as amount
    from first_posts
    union all
    select
        event_session_id,
        fired_at as happened_at,
        'fire' as kind,
        fire_count as amount
    from fires

),

-- every fact of a minute in one shape: the level of each instant inside the session
-- (a minute's start included, so every minute has one) and each event in its minute,
-- the first or last minute for one before started_at or after the end
minute_facts as (

    select
        levels.event_session_id,
        date_trunc('minute', levels.step_at) as minute_at,
        'online' as kind,
        levels.online_from as amount
    from levels
    inner join session_bounds on levels.event_session_id = session_bounds.event_session_id
    where levels.step_at < session_bounds.measured_until
        and levels.step_at >= session_bounds.first_minute_at
    union all
    select
        session_events.event_session_id,
        {{ minute_within(
            'session_events.happened_at',
            'session_bounds.first_minute_at',
            'session_bounds.last_minute_at'
        ) }} as minute_at,
        session_events.kind,
        session_events.amount
    from session_events
    inner join session_bounds
        on session_events.event_session_id = session_bounds.event_session_id
    where session_bounds.last_minute_at >= session_bounds.first_minute_at

),

-- a minute's participants_online is its own peak: the count at its first instant
-- (the minute's start row) or after any change inside it, whichever is larger
final as (

    select
        event_session_id,
        minute_at,
        max(amount) filter (where kind = 'online')::bigint as participants_online,
        count(*) filter (where kind = 'join')::bigint as joins_count,
        count(*) filter (where kind = 'leave')::bigint as leaves_count,
        count(*) filter (where kind = 'message')::bigint as messages_count,
        count(*) filter (where kind = 'question')::bigint as questions_count,
        coalesce(sum(amount) filter (where kind = 'fire'), 0)::bigint as fires_count
    from minute_facts
    group by event_session_id, minute_at

)

select * from final
