# ember-vmm
