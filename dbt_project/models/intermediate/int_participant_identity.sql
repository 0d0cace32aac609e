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

everyone as (

    select event_session_id, participant_id from invitations
    union
    select event_session_id, participant_id from registrations
    union
    select event_session_id, participant_id from joins

),

newest_registrations as (

    select distinct on (event_session_id, participant_id) *
    from registrations
    order by event_session_id, participant_id, registered_at desc, event_id desc

),

newest_invitations as (

    select distinct on (event_session_id, participant_id) *
    from invitations
    order by event_session_id, participant_id, invited_at desc, event_id desc

),

-- the newest e-mail given: a registration's wins over an invitation's
emails as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        lower(email) as email
    from (
        select event_session_id, participant_id, email, 1 as source_order, registered_at as given_at, event_id
        from registrations
        where email is not null
        union all
        select event_session_id, participant_id, email, 2, invited_at, event_id
        from invitations
        where email is not null
    ) as given
    order by event_session_id, participant_id, source_order, given_at desc, event_id desc

),

first_invitations as (

    select event_session_id, participant_id, min(invited_at) as invited_at
    from invitations
    group by event_session_id, participant_id

),

first_registrations as (

    select event_session_id, participant_id, min(registered_at) as registered_at
    from registrations
    group by event_session_id, participant_id

),

attendance as (

    select
        event_session_id,
        participant_id,
        min(joined_at) as first_joined_at,
        max(joined_at) as last_joined_at
    from joins
    group by event_session_id, participant_id

),

newest_joins as (

    select distinct on (event_session_id, participant_id) *
    from joins
    order by event_session_id, participant_id, joined_at desc, event_id desc

),

final as (

    select
        everyone.event_session_id,
        sessions.organization_id,
        sessions.started_at as session_started_at,
        everyone.participant_id,
        coalesce(emails.email, 'guest:' || everyone.participant_id) as person_key,
        emails.email,
        emails.email is null as is_guest,
        coalesce(newest_registrations.first_name, newest_invitations.first_name) as first_name,
        coalesce(newest_registrations.last_name, newest_invitations.last_name) as last_name,
        case
            when newest_registrations.registration_fields is not null
                or newest_invitations.registration_fields is not null
                then coalesce(newest_invitations.registration_fields, '{}'::jsonb)
                    || coalesce(newest_registrations.registration_fields, '{}'::jsonb)
        end as registration_fields,
        first_invitations.invited_at,
        first_registrations.registered_at,
        case
            when first_registrations.registered_at is null
                and first_invitations.invited_at is not null
                then 'invited'
            when first_invitations.invited_at <= first_registrations.registered_at
                then 'registered_by_invitation'
            when first_registrations.registered_at is not null
                then 'self_registered'
        end as registration_status,
        attendance.participant_id is not null as has_attended,
        newest_joins.role,
        attendance.first_joined_at,
        attendance.last_joined_at
    from everyone
    inner join sessions on everyone.event_session_id = sessions.event_session_id
    left join emails
        on everyone.event_session_id = emails.event_session_id
        and everyone.participant_id = emails.participant_id
    left join newest_registrations
        on everyone.event_session_id = newest_registrations.event_session_id
        and everyone.participant_id = newest_registrations.participant_id
    left join newest_invitations
        on everyone.event_session_id = newest_invitations.event_session_id
        and everyone.participant_id = newest_invitations.participant_id
    left join first_invitations
        on everyone.event_session_id = first_invitations.event_session_id
        and everyone.participant_id = first_invitations.participant_id
    left join first_registrations
        on everyone.event_session_id = first_registrations.event_session_id
        and everyone.participant_id = first_registrations.participant_id
    left join attendance
        on everyone.event_session_id = attendance.event_session_id
        and everyone.participant_id = attendance.participant_id
    left join newest_joins
        on everyone.event_session_id = newest_joins.event_session_id
        and everyone.participant_id = newest_joins.participant_id

)

select * from final
