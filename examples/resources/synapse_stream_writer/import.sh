# The ID is the path of the existing homeserver.yaml (or shared config) and the stream, whose
# stream_writers entry becomes writers ("master" becomes "main").
terraform import synapse_stream_writer.events '/etc/matrix-synapse/homeserver.yaml?stream=events'
