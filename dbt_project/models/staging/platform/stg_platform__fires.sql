with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'reaction.fire'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as fired_at,
        coalesce((payload ->> 'count')::bigint, 1) as fire_count,
        file_id

    from source

)

select * from renamed
