{{ config(
    unique_key=['event_session_id', 'participant_id'],
    meta={'rebuild_scope': 'touched'},
    post_hook=["{{ index_on(['organization_id', 'person_key']) }}"],
) }}
-- depends_on: {{ ref('int_event_sessions') }}
{# One row per (event session, participant) for everyone invited, registered or
    attending: who the person is (person_key, e-mail, names), how they registered,
    whether and as what role they attended.  Recomputed for the sessions touched by
    this run's new raw rows (identity depends on a session's own events only). -#}

with sessions as (

    select * from {{ ref('int_event_sessions') }}
    where {{ touched_sessions_only() }}

),

invitations as (

    select * from {{ ref('stg_platform__invitations') }}
    where {{ touched_sessions_only() }}

),

registrations as (

    select * from {{ ref('stg_platform__registrations') }}
    where {{ touched_sessions_only() }}

),

joins as (

    select * from {{ ref('stg_platform__joins') }}
    where {{ touched_sessions_only() }}

),

-- every invitation, registration and join of a participant, in one shape, so one
-- grouped pass (one sort) answers what used to take seven joins of ~2 M rows each
seen as (

    select
        event_session_id, participant_id, 'invited' as kind, invited_at as seen_at, event_id,
        email, first_name, last_name, registration_fields, null::text as role
    from invitations
    union all
    select
        event_session_id, participant_id, 'registered', registered_at, event_id,
        email, first_name, last_name, registration_fields, null::text
    from registrations
    union all
    select
        event_session_id, participant_id, 'joined', joined_at, event_id,
        null::text, null::text, null::text, null::jsonb, role
    from joins

),

-- "newest" = latest seen_at, then greatest event_id; every ordered aggregate shares
-- that one order, so Postgres sorts the rows once
participants as (

    select
        event_session_id,
        participant_id,
        {%- for kind in ['registered', 'invited'] %}
        (array_agg(first_name order by seen_at desc, event_id desc)
            filter (where kind = '{{ kind }}'))[1] as {{ kind }}_first_name,
        (array_agg(last_name order by seen_at desc, event_id desc)
            filter (where kind = '{{ kind }}'))[1] as {{ kind }}_last_name,
        (array_agg(registration_fields order by seen_at desc, event_id desc)
            filter (where kind = '{{ kind }}'))[1] as {{ kind }}_fields,
        (array_agg(lower(email) order by seen_at desc, event_id desc)
            filter (where kind = '{{ kind }}' and email is not null))[1] as {{ kind }}_email,
        min(seen_at) filter (where kind = '{{ kind }}') as first_{{ kind }}_at,
        {%- endfor %}
        (array_agg(role order by seen_at desc, event_id desc)
            filter (where kind = 'joined'))[1] as role,
        min(seen_at) filter (where kind = 'joined') as first_joined_at,
        max(seen_at) filter (where kind = 'joined') as last_joined_at
    from seen
    group by event_session_id, participant_id

),

final as (

    select
        participants.event_session_id,
        sessions.organization_id,
        sessions.started_at as session_started_at,
        participants.participant_id,
        -- the newest e-mail given: a registration's wins over an invitation's
        coalesce(
            participants.registered_email,
            participants.invited_email,
            'guest:' || participants.participant_id
        ) as person_key,
        coalesce(participants.registered_email, participants.invited_email) as email,
        coalesce(participants.registered_email, participants.invited_email) is null as is_guest,
        coalesce(participants.registered_first_name, participants.invited_first_name) as first_name,
        coalesce(participants.registered_last_name, participants.invited_last_name) as last_name,
        case
            when participants.registered_fields is not null
                or participants.invited_fields is not null
                then coalesce(participants.invited_fields, '{}'::jsonb)
                    || coalesce(participants.registered_fields, '{}'::jsonb)
        end as registration_fields,
        participants.first_invited_at as invited_at,
        participants.first_registered_at as registered_at,
        case
            when participants.first_registered_at is null
                and participants.first_invited_at is not null
                then 'invited'
            when participants.first_invited_at <= participants.first_registered_at
                then 'registered_by_invitation'
            when participants.first_registered_at is not null
                then 'self_registered'
        end as registration_status,
        participants.first_joined_at is not null as has_attended,
        participants.role,
        participants.first_joined_at,
        participants.last_joined_at
    from participants
    inner join sessions on participants.event_session_id = sessions.event_session_id

)

select * from final
