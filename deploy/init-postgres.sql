-- Runs once, when the Postgres volume is created: Airflow's metadata DB beside the warehouse.
create database airflow;
