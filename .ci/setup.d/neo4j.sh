# Neo4j 5.26 Community + Graph Data Science for the Neo4j suites (store contract, API Neo4j variants, GDS, bulk
# loader): Java 17 and Maven from Debian, the jars from Maven Central (neo4j/pom.xml), the server started by
# `npm run neo4j:start` (scripts/neo4j-server.ts) on 127.0.0.1:${NEO4J_BOLT_PORT:-7687} with a generated password.
# Sourced by .ci/run: exports NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD; stops the server when the run ends.
apt_install openjdk-17-jre-headless maven
java -version 2>&1 | head -1
# A fresh instance of its own for this run (the clone is fresh; said anyway, in case .ci/run runs in a work tree).
export NEO4J_LOCAL_DIR="$PWD/.neo4j/ci"
npm run -s neo4j:reset
on_exit "npm run -s neo4j:stop"
eval "$(npm run -s neo4j:start)"
echo "neo4j: $NEO4J_URI (user $NEO4J_USER) is up; the Neo4j suites run against it"
