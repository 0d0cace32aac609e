with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'session.started'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as started_at,
        payload ->> 'webinar_name' as webinar_name,
        coalesce((payload ->> 'is_paid')::boolean, false) as is_paid,
        coalesce((payload ->> 'engagement_module')::boolean, false) as has_engagement_module,
        coalesce((payload ->> 'open_entry')::boolean, false) as is_open_entry,
        file_id

    from source

)

select * from renamed
