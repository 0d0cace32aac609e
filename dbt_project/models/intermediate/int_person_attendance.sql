{{ config(
    unique_key=['organization_id', 'person_key'],
    meta={'rebuild_scope': 'people'},
) }}
-- depends_on: {{ ref('int_people_to_rebuild') }}
{# One row per (organization, person_key): the person's first attendance (the
    earliest-started session they attended; what decides new vs returning) and
    totals.  Recomputed for every key of int_people_to_rebuild (the keys the
    participants of a touched session have now or may have had before): the
    pre-hook deletes those rows first, so a key nobody has any more (a guest who
    registered with an e-mail later) disappears instead of staying a phantom. -#}

with identity as (

    select * from {{ ref('int_participant_identity') }}
    where session_started_at is not null

),

{% if is_incremental() %}
people_to_rebuild as (

    select organization_id, person_key
    from {{ ref('int_people_to_rebuild') }}

),

person_sessions as (

    select identity.*
    from identity
    inner join people_to_rebuild
        on identity.organization_id = people_to_rebuild.organization_id
        and identity.person_key = people_to_rebuild.person_key

),
{% else %}
person_sessions as (

    select * from identity

),
{% endif %}

-- one grouped pass: the totals, and the first attendance as arrays in one order
-- (the earliest-started attended session; one sort shared by the three)
{% set first_order = 'order by session_started_at, first_joined_at, event_session_id' %}
final as (

    select
        organization_id,
        person_key,
        max(email) as email,
        (array_agg(first_joined_at {{ first_order }}) filter (where has_attended))[1]
        as first_attended_at,
        (array_agg(event_session_id {{ first_order }}) filter (where has_attended))[1]
        as first_event_session_id,
        (array_agg(session_started_at {{ first_order }}) filter (where has_attended))[1]
        as first_session_started_at,
        count(distinct event_session_id) filter (where has_attended) as sessions_attended,
        max(last_joined_at) filter (where has_attended) as last_attended_at
    from person_sessions
    group by organization_id, person_key

)

select * from final
