# Live database searches (review.searchruns). Opt-in: they run only with `--config live=true`
# (or `review run --live`); offline, the workflow reads the runs already in data/raw/<source>/.
# Each search asks only for what was added since the source's last complete run (an initial
# search when there is none), writes a new run folder beside the old ones, and resumes an
# interrupted run from its checkpoint. Keys come from the environment, never from here.
SEARCH_SOURCES = [s["id"] for s in PROTOCOL.sources if s["kind"] == "database"]


if LIVE and SEARCH_SOURCES:

    rule search_database:
        input:
            protocol=PROTOCOL_PATH,
        output:
            # temp(): consumed by normalise_records, then removed, so the next live run
            # searches again instead of finding the status file up to date.
            status=temp("data/interim/search/{source}.json"),
        wildcard_constraints:
            source="|".join(SEARCH_SOURCES),
        resources:
            api=1,
        conda:
            "../envs/review.yaml"
        log:
            "logs/search_database/{source}.log",
        shell:
            "review search {wildcards.source} --live --update --protocol {input.protocol} "
            "--status {output.status} > {log} 2>&1"


SEARCH_OUTPUTS = (
    expand("data/interim/search/{source}.json", source=SEARCH_SOURCES) if LIVE else []
)
