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

{#- A login for a BI tool: `dbt run-operation create_bi_login --args
    "{name: bi_reader, password: '…'}"` creates (or updates) the role and grants it
    webstat_bi, so it reads marts and nothing else. Used by docker-compose's init job. -#}
{% macro create_bi_login(name='bi_reader', password=none) -%}
    {%- if not password -%}
        {{ exceptions.raise_compiler_error("create_bi_login needs a password") }}
    {%- endif -%}
    {%- set name_lit = "'" ~ (name | replace("'", "''")) ~ "'" -%}
    {%- set password_lit = "'" ~ (password | replace("'", "''")) ~ "'" -%}
    {% do run_query(create_bi_role()) %}
    {% set sql %}
        do $webstat$
        begin
            if not exists (select 1 from pg_roles where rolname = {{ name_lit }}) then
                execute format('create role %I login password %L', {{ name_lit }}, {{ password_lit }});
            else
                execute format('alter role %I login password %L', {{ name_lit }}, {{ password_lit }});
            end if;
            execute format('grant webstat_bi to %I', {{ name_lit }});
        end
        $webstat$
    {% endset %}
    {% do run_query(sql) %}
    {{ log("BI login " ~ name ~ " can read schema marts (role webstat_bi)", info=True) }}
{%- endmacro %}
