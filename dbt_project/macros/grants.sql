{#- The BI role reads marts and nothing else: it is created here (no login; real
    users are granted it), marts get `grants: {select: [webstat_bi]}` in
    dbt_project.yml, and the schema usage is granted after the run. -#}
{% macro create_bi_role() -%}
    do $$
    begin
        if not exists (select 1 from pg_roles where rolname = 'webstat_bi') then
            create role webstat_bi nologin;
        end if;
    exception when duplicate_object then
        null;  -- created by a concurrent run
    end
    $$
{%- endmacro %}

{% macro grant_marts_usage() -%}
    do $$
    begin
        if exists (select 1 from pg_namespace where nspname = '{{ generate_schema_name('marts', none) }}') then
            grant usage on schema {{ generate_schema_name('marts', none) }} to webstat_bi;
        end if;
    end
    $$
{%- endmacro %}
