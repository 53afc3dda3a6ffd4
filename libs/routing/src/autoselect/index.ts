// Autoselect policy: the local privacy detector, classifier and selection prompts, and the pure decision pipeline.
export { detectPrivateData, firedRules, PRIVACY_RULES } from './privacy-detector';
export type { PrivacyDetection, PrivacyFinding, PrivacyCategory, PrivacyRuleInfo, DetectOptions } from './privacy-detector';
export { requestNeeds } from './request-text';
export type { RequestNeeds } from './request-text';
export { buildClassifierPrompt, parseClassifierAnswer, parseYesNo } from './classifier-prompts';
export type { ClassifierCall, ClassifierKind, NsfwClassifierVerdict, PrivacyClassifierVerdict } from './classifier-prompts';
export { buildSelectionPrompt, parseSelectionAnswer, selectionCacheKey, SELECTION_CALL_PARAMS, DEFAULT_SELECTION_SYSTEM_PROMPT } from './selection-prompt';
export type { SelectionCandidate, SelectionPromptInput } from './selection-prompt';
export { assessNsfw, assessPrivacy, canRouteSeeRequest, filterCandidates, hasCapability, refusalError } from './candidate-filter';
export type {
  AutoselectRefusal,
  CandidateView,
  ClassifierSignals,
  FallbackStatus,
  FilterInput,
  FilterResult,
  FilterStage,
  NsfwAssessment,
  PrivacyAssessment,
  RouteTraits,
  RouteTraitsLookup,
} from './candidate-filter';
export { escalationFailure, escalationOrder, planSelection, resolveSelection, selectionRouteOf } from './selection';
export type { EscalationStep, PlanInput, Selection, SelectionCall, SelectionOutcome, SelectionPlan, SelectionVia } from './selection';
export { classifyRequest, createSelectionCache, decide } from './decide';
export type { AskRoute, AutoselectDecision, ClassificationResult, ClassifyDeps, DecideDeps, DecideInput, SelectionCache } from './decide';
export { decisionHeader } from './audit';
export type { AutoselectAudit } from './audit';
export { autoselectSettings, autoselectTraits, findAutoselectProblems, resolveAutoselectTarget, routeTraitsOf, tryResolveAutoselectTarget } from './route-targets';
export type { AutoselectSettings } from './route-targets';
