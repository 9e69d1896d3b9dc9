/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * The Bedrock control plane, typed: foundation models (with Bedrock's
 * filters), inference profiles (every page through a pull iterator) and
 * the model-invocation logging configuration. Each call is one signed
 * request through bedrock_control_request(), with the client's retries;
 * answers are Bedrock's JSON, kept whole in a bedrock_response.
 *
 * Thread safety: as the client. An iterator belongs to one thread.
 */
#ifndef BEDROCK_CONTROL_H
#define BEDROCK_CONTROL_H

#include <stddef.h>

#include "client.h"
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BEDROCK_MODEL_FILTER_VERSION 1

/** ListFoundationModels' filters; NULL members are not sent. */
typedef struct bedrock_model_filter {
	unsigned int version;		/* BEDROCK_MODEL_FILTER_VERSION */
	const char *provider;		/* byProvider: "Anthropic" */
	const char *customization_type;	/* byCustomizationType: FINE_TUNING, CONTINUED_PRE_TRAINING, DISTILLATION */
	const char *output_modality;	/* byOutputModality: TEXT, IMAGE, EMBEDDING */
	const char *inference_type;	/* byInferenceType: ON_DEMAND, PROVISIONED */
} bedrock_model_filter;

#define BEDROCK_MODEL_FILTER_INIT { BEDROCK_MODEL_FILTER_VERSION, NULL, NULL, NULL, NULL }

/**
 * ListFoundationModels: {"modelSummaries": [...]} (the API has no pages).
 *
 * @param filter NULL for every model
 * @return as bedrock_control_request()
 */
int bedrock_list_foundation_models(bedrock_response **out, bedrock_client *client,
				   const bedrock_model_filter *filter, bedrock_error_info *err);

/** GetFoundationModel: {"modelDetails": {...}}. @p model_id is encoded for the path. */
int bedrock_get_foundation_model(bedrock_response **out, bedrock_client *client,
				 const char *model_id, bedrock_error_info *err);

/** GetInferenceProfile by id or ARN (encoded for the path). */
int bedrock_get_inference_profile(bedrock_response **out, bedrock_client *client,
				  const char *profile_id, bedrock_error_info *err);

/** One inference profile, lent by the iterator until its next call. */
typedef struct bedrock_profile_summary {
	const char *id;		/* inferenceProfileId */
	const char *name;	/* inferenceProfileName, "" if absent */
	const char *arn;	/* inferenceProfileArn, "" if absent */
	const char *type;	/* "SYSTEM_DEFINED" or "APPLICATION", "" if absent */
	const char *status;	/* "ACTIVE", "" if absent */
	const char *json;	/* the whole summary as Bedrock sent it (compact) */
	size_t json_len;
	/* Fields may be appended: the library allocates this struct. */
} bedrock_profile_summary;

/** ListInferenceProfiles, every page, one profile at a time. */
typedef struct bedrock_profile_iter bedrock_profile_iter;

/**
 * Makes an iterator; no request is sent until the first next().
 *
 * @param type NULL for every profile, "SYSTEM_DEFINED" or "APPLICATION"
 * @return 0, BEDROCK_EINVAL or BEDROCK_ENOMEM
 */
int bedrock_profile_iter_new(bedrock_profile_iter **out, bedrock_client *client, const char *type);

/**
 * The next profile, fetching the next page when the current one is used up.
 *
 * @return 0 with *out; BEDROCK_ITEROVER after the last; a request's error
 *         (as bedrock_control_request(), with @p err) — calling again
 *         retries that page; BEDROCK_EPROTOCOL when a page is not JSON or
 *         the service repeats a page token
 */
int bedrock_profile_iter_next(const bedrock_profile_summary **out, bedrock_profile_iter *it,
			      bedrock_error_info *err);

void bedrock_profile_iter_free(bedrock_profile_iter *it);

/** GetModelInvocationLoggingConfiguration: {"loggingConfig": {...}} or {}. */
int bedrock_logging_get(bedrock_response **out, bedrock_client *client, bedrock_error_info *err);

/**
 * PutModelInvocationLoggingConfiguration.
 *
 * @param logging_config_json the loggingConfig object, e.g.
 *        {"s3Config":{"bucketName":"b","keyPrefix":"p"},"textDataDeliveryEnabled":true}
 *        (the library wraps it as {"loggingConfig": ...})
 * @return as bedrock_control_request(); BEDROCK_EINVAL if it is not a JSON object
 */
int bedrock_logging_put(bedrock_response **out, bedrock_client *client,
			const char *logging_config_json, bedrock_error_info *err);

/** DeleteModelInvocationLoggingConfiguration. */
int bedrock_logging_delete(bedrock_response **out, bedrock_client *client, bedrock_error_info *err);

#ifdef __cplusplus
}
#endif

#endif
