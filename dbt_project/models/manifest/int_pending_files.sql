{{ config(unique_key='file_id', post_hook=['analyze {{ this }}']) }}
{# The raw files this run has to account for: every loaded file not yet recorded
    in the ledger int_processed_files (which is written at the end of a successful
    run).  Files are compared by id, not by a high-water mark, so a file whose load
    committed late (out of id order) is still picked up.  The ledger is read by
    name, not by ref(), because it is built downstream of everything. -#}
{%- set ledger = none -%}
{%- if execute and not flags.FULL_REFRESH -%}
    {%- set ledger = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_processed_files'
    ) -%}
{%- endif %}

with loaded_files as (

    select * from {{ ref('stg_platform__loaded_files') }}

),

pending as (

    select loaded_files.file_id
    from loaded_files
    where loaded_files.load_status = 'loaded'
    {%- if ledger is not none %}
        and not exists (
            select 1
            from {{ ledger }} as processed
            where processed.file_id = loaded_files.file_id
        )
    {%- endif %}

),

final as (

    select
        file_id,
        '{{ invocation_id }}'::text as invocation_id
    from pending

)

select * from final
