rule normalise_records:
    input:
        protocol=PROTOCOL_PATH,
        raw=raw_inputs(PROTOCOL),
        searched=SEARCH_OUTPUTS,
    output:
        records="data/interim/records.csv",
    conda:
        "../envs/review.yaml"
    log:
        "logs/normalise_records/normalise_records.log",
    shell:
        "review normalise --protocol {input.protocol} -o {output.records} > {log} 2>&1"
