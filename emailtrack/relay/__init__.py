"""The SMTP relay (`emailtrack relay`): an MTA hands it mail (as a smarthost or a content
filter); each message is split per recipient, instrumented, registered and relayed
synchronously to the upstream MTA."""
