{{ config(
    unique_key=['organization_id', 'person_key'],
    post_hook=['analyze {{ this }}'],
) }}
{# The persons (organization, person_key) whose rows int_person_attendance and
    dim_people recompute in this run: every key a participant of a session touched
    by this run has now, or may have had before it.  A person_key changes when a
    later file brings an e-mail: a guest ('guest:' || participant_id) gets one, or a
    newer registration gives another address.  The former keys are derived from the
    raw data itself (the participant's id and every e-mail given in the session), not
    from a previous run's state, so a run cut short and run again finds the same
    keys; a key that no participant has any more is deleted, not left as a phantom.
    Identity depends on a session's own events only, so no person outside these
    keys changes.  Under --full-refresh everything is rebuilt whole: the list is
    empty; so it is on a first build (no incremental model that reads it exists yet,
    and every session is touched), where nobody would read it. -#}

-- the sessions int_event_sessions recomputed in this invocation (a table is never
-- is_incremental(), so touched_sessions_only() cannot be used here)
with touched as (

    select event_session_id
    from {{ ref('int_event_sessions') }}
    where rebuilt_invocation_id = '{{ invocation_id }}'

),

identity as (

    select * from {{ ref('int_participant_identity') }}
    where event_session_id = any(array(select touched.event_session_id from touched))

),

invitations as (

    select * from {{ ref('stg_platform__invitations') }}
    where event_session_id = any(array(select touched.event_session_id from touched))
        and email is not null

),

registrations as (

    select * from {{ ref('stg_platform__registrations') }}
    where event_session_id = any(array(select touched.event_session_id from touched))
        and email is not null

),

candidates as (

    -- the key each participant has now
    select
        event_session_id,
        participant_id,
        person_key,
        is_guest as is_guest_key
    from identity

    union all

    -- the guest key a participant with an e-mail had before the e-mail arrived
    select
        event_session_id,
        participant_id,
        'guest:' || participant_id as person_key,
        true as is_guest_key
    from identity
    where not is_guest

    union all

    -- every e-mail given in the session: any of them may have been the key before a
    -- newer registration or invitation replaced it (normalized as in identity)
    select
        event_session_id,
        participant_id,
        lower(email) as person_key,
        false as is_guest_key
    from invitations

    union all

    select
        event_session_id,
        participant_id,
        lower(email) as person_key,
        false as is_guest_key
    from registrations

),

final as (

    select
        identity.organization_id,
        candidates.person_key,
        bool_and(candidates.is_guest_key) as is_guest_key,
        -- joins only accumulate: who has not attended a touched session now never had
        min(identity.session_started_at) filter (where identity.has_attended)
        as earliest_attended_started_at
    from candidates
    inner join identity
        on candidates.event_session_id = identity.event_session_id
            and candidates.participant_id = identity.participant_id
    {%- if flags.FULL_REFRESH %}
    where false
    {%- elif execute and not existing_incremental_readers() %}
    -- a first build: no incremental reader of this list exists yet (each rebuilds
    -- whole), and int_sessions_to_rebuild needs it only for a session this run did
    -- not touch; when it touched them all, the list is empty without computing it
    where exists (
            select from {{ ref('int_event_sessions') }} as sessions
            where sessions.rebuilt_invocation_id is distinct from '{{ invocation_id }}'
        )
    {%- endif %}
    group by identity.organization_id, candidates.person_key

)

select * from final
