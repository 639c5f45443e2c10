// Checks Kubernetes manifests against Kubernetes' own schema, offline, with
// the kubernetes-models package (its validators are generated from the
// OpenAPI schema). Prints "FILE: KIND NAME valid" per object; exits 1 with
// the schema's words for the first that is not.
//
// Usage: node validate.js FILE.yaml...   (after `npm ci` in this folder)
"use strict";
const fs = require("fs");
const yaml = require("js-yaml");

const models = {
  "apps/v1 Deployment": () => require("kubernetes-models/apps/v1/Deployment").Deployment,
  "v1 Service": () => require("kubernetes-models/v1/Service").Service,
  "batch/v1 Job": () => require("kubernetes-models/batch/v1/Job").Job,
};

let failed = false;
for (const file of process.argv.slice(2)) {
  for (const object of yaml.loadAll(fs.readFileSync(file, "utf8"))) {
    const kind = `${object.apiVersion} ${object.kind}`;
    const model = models[kind];
    const name = `${file}: ${kind} ${object.metadata && object.metadata.name}`;
    if (model === undefined) {
      console.log(`${name}: no model for this kind here`);
      failed = true;
      continue;
    }
    try {
      new (model())(object).validate();
      console.log(`${name} valid`);
    } catch (error) {
      console.log(`${name} invalid: ${error.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
