with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type in ('broadcast.started', 'broadcast.stopped')

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at,
        case event_type
            when 'broadcast.started' then 'started'
            else 'stopped'
        end as broadcast_action,
        file_id

    from source

)

select * from renamed
