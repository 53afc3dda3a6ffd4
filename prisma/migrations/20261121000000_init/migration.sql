-- CreateTable
CREATE TABLE `UsageRecord` (
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    `requestId` VARCHAR(64) NOT NULL,
    `caller` VARCHAR(191) NOT NULL,
    `userId` INTEGER NULL,
    `tokenId` INTEGER NULL,
    `route` VARCHAR(191) NOT NULL,
    `routeKind` VARCHAR(32) NOT NULL,
    `providerId` VARCHAR(191) NULL,
    `model` VARCHAR(191) NULL,
    `promptTokens` INTEGER NOT NULL DEFAULT 0,
    `completionTokens` INTEGER NOT NULL DEFAULT 0,
    `totalTokens` INTEGER NOT NULL DEFAULT 0,
    `latencyMs` INTEGER NOT NULL,
    `status` VARCHAR(32) NOT NULL,
    `errorCode` VARCHAR(64) NULL,
    `attempts` INTEGER NOT NULL DEFAULT 1,
    `stream` BOOLEAN NOT NULL DEFAULT false,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `UsageRecord_requestId_key`(`requestId`),
    INDEX `UsageRecord_createdAt_idx`(`createdAt`),
    INDEX `UsageRecord_caller_createdAt_idx`(`caller`, `createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
