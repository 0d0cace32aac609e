with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'payment.completed'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as paid_at,
        (payload ->> 'amount')::numeric as amount,
        payload ->> 'currency' as currency,
        file_id

    from source

)

select * from renamed
