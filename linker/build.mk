# ember-cc, the linker script, ember-inspect, make install
