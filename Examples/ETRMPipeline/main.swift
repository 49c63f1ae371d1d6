print("etrm-pipeline: scaffolding")
