#!/usr/bin/env bash
# Renders server.properties from the defaults beside this script and KAFKA_* variables (as the
# official apache/kafka image reads them), formats the storage once for CLUSTER_ID, and runs
# the broker in the foreground.
set -euo pipefail
HOME_DIR=/opt/kafka
CONFIG="$HOME_DIR/config/server.properties"
# Variables of the JVM and of this image, not broker properties.
NOT_PROPERTIES=" KAFKA_HEAP_OPTS KAFKA_OPTS KAFKA_JVM_OPTS KAFKA_HEALTH_PORT KAFKA_VERSION "

# KAFKA_ADVERTISED_LISTENERS -> advertised.listeners; `__` -> `_`, `___` -> `-`.
property_name() {
  local name=${1#KAFKA_}
  name=${name//___/-}
  name=${name//__/@}
  name=${name//_/.}
  name=${name//@/_}
  printf '%s' "${name,,}"
}

cp "$HOME_DIR/server.properties" "$CONFIG"
while IFS='=' read -r variable value; do
  [[ $variable == KAFKA_* && $NOT_PROPERTIES != *" $variable "* ]] || continue
  key=$(property_name "$variable")
  grep -v "^${key//./\\.}=" "$CONFIG" >"$CONFIG.next" || true
  printf '%s=%s\n' "$key" "$value" >>"$CONFIG.next"
  mv "$CONFIG.next" "$CONFIG"
done < <(env)

CLASSPATH="$HOME_DIR/libs/*"
# shellcheck disable=SC2086  # the options are words
JAVA=(java $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$HOME_DIR/log4j.properties" ${KAFKA_OPTS:-} -cp "$CLASSPATH")

data_dir=$(sed -n 's/^log\.dirs=//p' "$CONFIG" | cut -d , -f 1)
if [ ! -f "$data_dir/meta.properties" ]; then
  "${JAVA[@]}" kafka.tools.StorageTool format --ignore-formatted \
    -t "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" -c "$CONFIG"
fi
exec "${JAVA[@]}" kafka.Kafka "$CONFIG"
