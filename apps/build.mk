# Example and test applications, built with ember-cc; make run
