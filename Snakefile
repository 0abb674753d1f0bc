# The review workflow: a table of contents. Each stage's rules live in workflow/rules/<stage>.smk
# and call one command of the `review` package, naming every file they read and write; all logic
# lives in the package. The protocol is checked against the package's schema
# (src/review/schemas/protocol.schema.yaml) before any rule runs.
# Runtime settings come from --config (protocol=PATH, live=true|false), never the protocol;
# threads, memory and executors from the command line or a profile (profiles/<site>/).
from snakemake.utils import min_version

from review.protocol import load_protocol
from review.workflow import check_decision_names, raw_inputs, version_inputs

min_version("9.0")


PROTOCOL_PATH = config.get("protocol", "config/protocol.yaml")
PROTOCOL = load_protocol(PROTOCOL_PATH)
LIVE = str(config.get("live", "false")).lower() == "true"
RAW_ROOT = "data/raw"
# A decision file named like a rule pattern ({x}.csv, <a>.csv) stops the run here, with its path.
check_decision_names("data/decisions")
# Published versions (review version NAME): the report compares with the latest (or the
# protocol's versions.compare_with); a protocol changed since must log an amendment.
VERSIONS = "versions"
VERSION_FILES = version_inputs(PROTOCOL, VERSIONS)
SCREENING_DECISIONS = "data/decisions/screening"


include: "workflow/rules/search.smk"
include: "workflow/rules/normalise.smk"
include: "workflow/rules/dedup.smk"
include: "workflow/rules/fulltext.smk"
include: "workflow/rules/screen.smk"
include: "workflow/rules/group.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/appraise.smk"
include: "workflow/rules/synthesise.smk"
include: "workflow/rules/audit.smk"
include: "workflow/rules/report.smk"


localrules:
    all,


rule all:
    input:
        rules.render_report.output,
        rules.render_audit.output,
    default_target: True
