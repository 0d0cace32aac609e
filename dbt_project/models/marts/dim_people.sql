{{ config(
    unique_key=['organization_id', 'person_key'],
    meta={'rebuild_scope': 'people', 'masked_person_key': true},
) }}
-- depends_on: {{ ref('int_people_to_rebuild') }}
{# Incremental: the pre-hook deletes the (masked) keys of int_people_to_rebuild and
    the rows of those that still exist in int_person_attendance come back, so a
    person_key nobody has any more leaves no phantom row (equal to a full refresh). -#}

with person_attendance as (

    select * from {{ ref('int_person_attendance') }}

),

{% if is_incremental() %}
people_to_rebuild as (

    select organization_id, person_key
    from {{ ref('int_people_to_rebuild') }}

),
{% endif %}

final as (

    select
        person_attendance.organization_id,
        {{ mask_person_key('person_attendance.person_key') }} as person_key,
        {{ mask_email('person_attendance.email') }} as email,
        person_attendance.first_attended_at,
        person_attendance.first_event_session_id,
        person_attendance.sessions_attended::bigint as sessions_attended,
        person_attendance.last_attended_at
    from person_attendance
    {% if is_incremental() %}
    inner join people_to_rebuild
        on person_attendance.organization_id = people_to_rebuild.organization_id
        and person_attendance.person_key = people_to_rebuild.person_key
    {% endif %}

)

select * from final
